// action: the life of one user action — busy while it runs, then a success message or the
// API's error — so every form and button reports its outcome the same way.
import { useState } from "preact/hooks";
import { ErrorBox } from "./error-box";

export interface Action {
  busy: boolean;
  error?: unknown;
  message?: string;
  /** run performs the work; its string result is the success message. Resolves to success. */
  run(work: () => Promise<string | void>): Promise<boolean>;
  clear(): void;
}

export function useAction(): Action {
  const [state, setState] = useState<{ busy: boolean; error?: unknown; message?: string }>({ busy: false });
  return {
    ...state,
    async run(work) {
      setState({ busy: true });
      try {
        const message = await work();
        setState({ busy: false, ...(message ? { message } : {}) });
        return true;
      } catch (error) {
        setState({ busy: false, error });
        return false;
      }
    },
    clear: () => setState({ busy: false }),
  };
}

/** Outcome shows an action's error (role=alert) or success message (role=status). */
export function Outcome({ of }: { of: Action }) {
  if (of.error !== undefined) return <ErrorBox error={of.error} />;
  return (
    <p class="ok" role="status" aria-live="polite">
      {of.message ?? ""}
    </p>
  );
}

/** tokenNote ends a success message with the write's zedToken, abbreviated. */
export const tokenNote = (answer: { zedToken?: string }) => (answer?.zedToken ? ` (zedToken ${answer.zedToken.slice(0, 12)}…)` : "");
