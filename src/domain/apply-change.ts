// applyChange is the unit of work of product operations: the relationship updates go to the
// engine in one atomic write (with preconditions guarding races), then the app-state part
// runs; if that fails, the engine write is undone, so no change is ever half-applied.
import type { Engine, Precondition, RelationshipUpdate, WriteResult } from "../engine/engine.js";
import { engineCall } from "./errors.js";

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
    await engine.write(inverse(change.updates));
    throw err;
  }
  return written;
}
