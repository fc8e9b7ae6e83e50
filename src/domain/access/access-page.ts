// accessPage cuts one page out of a list read whole and sorted by a key; the cursor is the
// opaque key of the last item served, so a page never repeats or skips an item that stays.
import { invalidRequest } from "../errors.js";

export interface Page<T> {
  items: T[];
  /** Present only when there is more after this page. */
  cursor?: string;
}

const encode = (after: string) => Buffer.from(JSON.stringify({ after }), "utf8").toString("base64url");

function decode(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof value.after === "string") return value.after;
  } catch {
    // fall through to the 400 below
  }
  throw invalidRequest("cursor is not a cursor this endpoint returned", "query.cursor");
}

/** pageAfter sorts the items by key and returns the `limit` items after the cursor's key. */
export function pageAfter<T>(items: T[], key: (item: T) => string, limit: number, cursor?: string): Page<T> {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const after = cursor === undefined ? undefined : decode(cursor);
  const start = after === undefined ? 0 : sorted.findIndex((item) => key(item) > after);
  const from = start === -1 ? sorted.length : start;
  const slice = sorted.slice(from, from + limit);
  const last = slice[slice.length - 1];
  return from + limit < sorted.length && last ? { items: slice, cursor: encode(key(last)) } : { items: slice };
}
