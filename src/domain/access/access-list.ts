// accessList answers "who has this permission here, and through what": the engine's
// lookupSubjects says who (the truth), then one traced check per user on the page says why,
// read into product terms by describe-grant. The work per page is bounded by the page size.
import type { Engine, ObjectRef } from "../../engine/engine.js";
import { pageAfter } from "./access-page.js";
import { narrowBatchedGrants } from "./batched-grants.js";
import { describeGrant, grantsOf, type Grant } from "./describe-grant.js";
import { engineCall } from "../errors.js";

export type Via = Record<string, unknown> & { kind: string; reason: string };

export interface AccessEntry {
  user: string;
  /** Set when the permission holds only under a caveat (e.g. an IP allowlist). */
  conditional?: true;
  via: Via[];
}

export interface AccessQuery {
  resource: ObjectRef;
  permission: string;
  limit: number;
  cursor?: string;
}

/** EXPLAIN_CONCURRENCY bounds the traced checks in flight for one page. */
const EXPLAIN_CONCURRENCY = 8;

async function mapBounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** plainVia is a grant as an access entry: the grant's fields plus its sentence. */
export const plainVia = (grant: Grant): Via => ({ ...grant, reason: describeGrant(grant) });

/**
 * projectWrappedVia is the mapper of content access lists: grants of the given kinds (those on the
 * item, above it or a push) stay plain; anything else is something on the item's project,
 * wrapped as kind "project" with its role when it has one.
 */
export function projectWrappedVia(projectId: string, plainKinds: ReadonlyArray<Grant["kind"]>) {
  return (grant: Grant): Via => {
    if (plainKinds.includes(grant.kind)) return plainVia(grant);
    const role = "role" in grant ? { role: grant.role } : {};
    return { kind: "project", project: projectId, ...role, grant, reason: describeGrant(grant) };
  };
}

export async function listAccess(engine: Pick<Engine, "lookupSubjects" | "explain" | "readRelationships">, query: AccessQuery, toVia: (grant: Grant) => Via = plainVia) {
  const { resource, permission } = query;
  const found = await engineCall(() => engine.lookupSubjects({ resource, permission, subjectType: "user" }));
  const users = found.subjects.filter((s) => s.id !== "*" && s.permissionship !== "denied");
  const page = pageAfter(users, (s) => s.id, query.limit, query.cursor);
  const access = await mapBounded(page.items, EXPLAIN_CONCURRENCY, async (s): Promise<AccessEntry> => {
    // NOTE: a conditional grant needs its caveat context to be traced; without it the trace
    // still names the caveated relationship, which is the reason worth showing.
    const { trace } = await engineCall(() => engine.explain({ resource, permission, subject: { type: "user", id: s.id } }));
    const grants = await narrowBatchedGrants(engine, grantsOf(trace), { type: "user", id: s.id });
    const entry: AccessEntry = { user: `user:${s.id}`, via: grants.map(toVia) };
    if (s.permissionship === "conditional") entry.conditional = true;
    return entry;
  });
  return { access, ...(page.cursor ? { cursor: page.cursor } : {}), zedToken: found.zedToken };
}
