// paged: a list read a page at a time from a paginated endpoint (limit + cursor); "Load
// more" follows the cursor the server returned, so the console never guesses page sizes.
import { useEffect, useState } from "preact/hooks";
import type { Action } from "./action";
import { ErrorBox } from "./error-box";

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface Paged<T> {
  items: T[];
  cursor?: string;
  loading: boolean;
  error?: unknown;
  loadMore(): void;
  reload(): void;
}

export function usePaged<T>(load: (cursor?: string) => Promise<Page<T>>, deps: unknown[]): Paged<T> {
  const [state, setState] = useState<{ items: T[]; cursor?: string; loading: boolean; error?: unknown }>({ items: [], loading: true });
  const [generation, setGeneration] = useState(0);

  const fetchPage = (cursor: string | undefined, append: boolean) => {
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load(cursor).then(
      (page) => setState((s) => ({ items: append ? [...s.items, ...page.items] : page.items, cursor: page.cursor, loading: false })),
      (error) => setState((s) => ({ ...s, loading: false, error })),
    );
  };

  useEffect(() => fetchPage(undefined, false), [...deps, generation]);

  return {
    ...state,
    loadMore: () => state.cursor && fetchPage(state.cursor, true),
    reload: () => setGeneration((g) => g + 1),
  };
}

/** PagedFooter shows the list's error, loading state and the "Load more" button. */
export function PagedFooter<T>({ list, noun }: { list: Paged<T>; noun: string }) {
  return (
    <div class="paged-footer">
      {list.error !== undefined && <ErrorBox error={list.error} />}
      {list.loading && <p aria-live="polite">Loading {noun}…</p>}
      {!list.loading && list.error === undefined && list.items.length === 0 && <p>No {noun} yet.</p>}
      {list.cursor && !list.loading && (
        <button type="button" onClick={list.loadMore}>
          Load more {noun}
        </button>
      )}
    </div>
  );
}

/** reloadAfter runs an action and refreshes the list when it succeeded. */
export async function reloadAfter<T>(action: Action, list: Paged<T>, work: () => Promise<string | void>): Promise<boolean> {
  const ok = await action.run(work);
  if (ok) list.reload();
  return ok;
}
