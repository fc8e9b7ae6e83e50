// modal: a native modal <dialog> holding a form (invite, edit permissions). Like the
// confirmation, it traps focus, closes on Escape and gives focus back to the button that opened
// it; its content is mounted only while open, so every opening starts from fresh values.
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";

export interface ModalControl {
  open: boolean;
  show(): void;
  close(): void;
  element(children: ComponentChildren, label: string): preact.JSX.Element;
}

export function useModal(): ModalControl {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const close = () => {
    dialog.current?.close();
    setOpen(false);
  };
  return {
    open,
    show: () => {
      setOpen(true);
      // showModal after the content is rendered, so focus lands on its first field.
      requestAnimationFrame(() => dialog.current?.showModal());
    },
    close,
    element: (children, label) => (
      <dialog ref={dialog} class="modal" aria-label={label} onClose={() => setOpen(false)}>
        {open && children}
      </dialog>
    ),
  };
}
