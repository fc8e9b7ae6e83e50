// confirm: a modal <dialog> asking before a destructive change. The native dialog traps
// focus, closes on Escape (= cancel) and returns focus to the button that opened it.
import { useId, useRef, useState } from "preact/hooks";

export function useConfirm() {
  const dialog = useRef<HTMLDialogElement>(null);
  const [question, setQuestion] = useState<{ text: string; action: string } | undefined>();
  const resolver = useRef<(ok: boolean) => void>(undefined);
  // Its own id: a confirmation may open inside a dialog on a page that has one too.
  const textId = useId();

  const close = (ok: boolean) => {
    dialog.current?.close();
    resolver.current?.(ok);
    resolver.current = undefined;
  };

  const ask = (text: string, action = "Confirm"): Promise<boolean> =>
    new Promise((resolve) => {
      resolver.current = resolve;
      setQuestion({ text, action });
      // showModal after the text is rendered, so it is read out when focus moves in.
      requestAnimationFrame(() => dialog.current?.showModal());
    });

  const element = (
    <dialog ref={dialog} class="confirm" aria-labelledby={textId} onCancel={() => close(false)}>
      <p id={textId}>{question?.text}</p>
      <div class="row">
        <button type="button" class="danger" onClick={() => close(true)}>
          {question?.action ?? "Confirm"}
        </button>
        <button type="button" onClick={() => close(false)} autofocus>
          Cancel
        </button>
      </div>
    </dialog>
  );
  return { ask, element };
}
