// applyChange is the unit of work of product operations: the relationship updates go to the
// engine in one atomic write (with preconditions guarding races), then the app-state part
// runs; if that fails, the engine write is undone, so no change is ever half-applied.
import type { Engine, Precondition, RelationshipUpdate, WriteResult } from "../engine/engine.js";
import { engineCall, unavailable } from "./errors.js";

/**
 * COMPENSATION_DELAYS_MS: how long to wait before each retry of an undo that failed — about 10 s
 * in all, long enough for a datastore restart (a PostgreSQL crash and restart under load took
 * 2–4 s on the test cluster) and well inside the 30 s request timeout.
 */
const COMPENSATION_DELAYS_MS = [50, 200, 500, 1000, 2000, 3000, 3000];

export interface Change {
  updates: RelationshipUpdate[];
  preconditions?: Precondition[];
  /** App-state writes that must happen together with the relationship updates. */
  then?: (written: WriteResult) => Promise<void>;
}

/** inverse undoes a write: what was written is deleted, what was deleted is put back. */
export function inverse(updates: RelationshipUpdate[]): RelationshipUpdate[] {
  return updates.map((u) => ({ operation: u.operation === "delete" ? "touch" : "delete", relationship: u.relationship }));
}

export async function applyChange(engine: Pick<Engine, "write">, change: Change): Promise<WriteResult> {
  const written = await engineCall(() => engine.write(change.updates, change.preconditions), "body");
  if (!change.then) return written;
  try {
    await change.then(written);
  } catch (err) {
    await undo(engine, change.updates);
    throw err;
  }
  return written;
}

/**
 * undo writes the inverse of the updates, retrying while the engine is unreachable. If it
 * still fails the caller gets a 503 naming the relationships left behind (the failure is
 * logged by the error mapper), never a 500 or a silent half-applied change.
 */
async function undo(engine: Pick<Engine, "write">, updates: RelationshipUpdate[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await engine.write(inverse(updates));
      return;
    } catch (err) {
      const delay = COMPENSATION_DELAYS_MS[attempt];
      if (delay === undefined) {
        const left = updates.map((u) => `${u.operation} ${u.relationship.resource.type}:${u.relationship.resource.id}#${u.relationship.relation}`).join(", ");
        throw unavailable(`the change could not be completed nor undone (${(err as Error).message}); relationships to repair: ${left}`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
