// organization-cascade deletes a set of relationships gathered by a use-case (an org member's
// every grant, a deleted group's every reference, …) as one atomic engine write when it fits.
import type { Engine, Precondition, Relationship, RelationshipUpdate, WriteResult } from "../../engine/engine.js";
import { applyChange } from "../apply-change.js";
import { engineCall } from "../errors.js";

/** MAX_WRITE is SpiceDB's limit of updates in one atomic write. */
export const MAX_WRITE = 1000;

export interface Cascade {
  /**
   * Relationships to delete, in batches ordered so that what guards the operation (the org
   * role, the group's organization, …) comes last; duplicates are dropped.
   */
  batches: Relationship[][];
  /** Checked by the engine at write time; they must hold until the last batch is written. */
  preconditions?: Precondition[];
  /** App-state writes once the relationships are gone (undone with them when they fail). */
  then?: (written: WriteResult) => Promise<void>;
}

export const relationshipKey = (r: Relationship) =>
  `${r.resource.type}:${r.resource.id}#${r.relation}@${r.subject.type}:${r.subject.id}${r.subject.relation ? `#${r.subject.relation}` : ""}`;

/**
 * deleteCascade writes the deletes atomically (≤ 1,000 updates, the common case).
 * NOTE: past 1,000 it writes consecutive chunks in order, each under the same preconditions;
 * as the guarding relationships go last, a request that failed half-way can simply be retried.
 */
export async function deleteCascade(engine: Pick<Engine, "write" | "readRelationships">, cascade: Cascade): Promise<{ zedToken: string; removed: number }> {
  const seen = new Set<string>();
  const updates: RelationshipUpdate[] = [];
  for (const batch of cascade.batches) {
    for (const relationship of batch) {
      const key = relationshipKey(relationship);
      if (seen.has(key)) continue;
      seen.add(key);
      updates.push({ operation: "delete", relationship });
    }
  }
  if (updates.length <= MAX_WRITE) {
    const written = await applyChange(engine, { updates, preconditions: cascade.preconditions, then: cascade.then });
    return { zedToken: written.zedToken, removed: updates.length };
  }
  let written: WriteResult | undefined;
  for (let i = 0; i < updates.length; i += MAX_WRITE) {
    const chunk = updates.slice(i, i + MAX_WRITE);
    written = await engineCall(() => engine.write(chunk, cascade.preconditions), "body");
  }
  await cascade.then?.(written!);
  return { zedToken: written!.zedToken, removed: updates.length };
}
