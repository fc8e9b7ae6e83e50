// organization-paging pages the listings of organizations, groups and custom roles by key:
// the cursor is the last key returned, so writes between two pages neither break the cursor
// nor repeat or skip entries that existed throughout.
// NOTE: each page reads the whole (sorted) list from the engine; that is fine for member,
// group and role lists of an organization, not for unbounded sets.
import { invalidRequest } from "../errors.js";

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when there is more after this page. */
  cursor?: string;
}

const encode = (key: string) => Buffer.from(key, "utf8").toString("base64url");

function decode(cursor: string): string {
  const key = Buffer.from(cursor, "base64url").toString("utf8");
  if (!key || encode(key) !== cursor) throw invalidRequest("cursor is not one this listing returned", "query.cursor");
  return key;
}

/** pageByKey returns the items after the cursor's key, sorted by key, at most `limit` of them. */
export function pageByKey<T>(items: T[], keyOf: (item: T) => string, request: PageRequest): Page<T> {
  const after = request.cursor === undefined ? undefined : decode(request.cursor);
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const taken = rest.slice(0, request.limit);
  const page: Page<T> = { items: taken };
  if (rest.length > taken.length) page.cursor = encode(keyOf(taken[taken.length - 1]!));
  return page;
}
