// lookup: "which organizations / projects can I see" for the signed-in actor. The API answers
// it through /v1/lookup/resources, which needs the `check` scope; a key without it gets the
// ids opened or created in this session instead (see rememberRecent).
import { ApiError, type Json } from "./api";
import type { Console } from "./context";
import { recent } from "./session";

export interface IdPage {
  items: string[];
  cursor?: string;
  /** Set when the list comes from this session's history because the key cannot look up. */
  fromHistory?: true;
}

export async function lookupVisible(con: Console, resourceType: "organization" | "project", cursor?: string): Promise<IdPage> {
  try {
    const answer: Json = await con.api("POST", "/v1/lookup/resources", { resourceType, permission: "view", subject: con.session.actor, limit: 50, ...(cursor ? { cursor } : {}) });
    return { items: answer.resources as string[], ...(answer.cursor ? { cursor: answer.cursor as string } : {}) };
  } catch (err) {
    if (err instanceof ApiError && err.code === "forbidden" && /scope/.test(err.detail)) return { items: recent(resourceType), fromHistory: true };
    throw err;
  }
}

/** idOf accepts "acme" or "organization:acme" (what people paste) and returns "acme". */
export const idOf = (value: string, type: string) => value.trim().replace(new RegExp(`^${type}:`), "");

/** subjectOf accepts "alice" (a user) or "user:alice" / "group:eng" and returns the reference. */
export const subjectOf = (value: string) => {
  const v = value.trim();
  return /^(user|group):/.test(v) ? v.replace(/#member$/, "") : `user:${v}`;
};
