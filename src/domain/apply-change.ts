// applyChange is the unit of work of product operations: the relationship updates go to the
// engine in one atomic write (with preconditions guarding races), then the app-state part
// runs; if that fails, the engine write is undone, so no change is ever half-applied.
//
// A write whose answer is lost (the engine became unreachable, the deadline passed) may or may
// not have committed. Running `then` blindly could record app state for a write that never
// happened; skipping it could leave relationships without their app state (an accepted
// membership beside a pending invitation). So the outcome is read back, fully consistent: a
// write is atomic, so if every update shows (what was created or touched is there, what was
// deleted is gone) the engine holds exactly the state the change wanted and the change goes on
// from there; if any update does not show, nothing was written and the caller gets the 503. A
// call that never reached the engine (no connection) is not read back: nothing was written.
import { EngineError, type Engine, type Precondition, type Relationship, type RelationshipUpdate, type WriteResult } from "../engine/engine.js";
import { engineCall, unavailable } from "./errors.js";

/**
 * COMPENSATION_DELAYS_MS: how long to wait before each retry of an undo (or of reading back a
 * write whose answer was lost) that failed — about 10 s in all, long enough for a datastore
 * restart (a PostgreSQL crash and restart under load took 2–4 s on the test cluster) and well
 * inside the 30 s request timeout.
 */
const COMPENSATION_DELAYS_MS = [50, 200, 500, 1000, 2000, 3000, 3000];

export interface Change {
  updates: RelationshipUpdate[];
  preconditions?: Precondition[];
  /** App-state writes that must happen together with the relationship updates. */
  then?: (written: WriteResult) => Promise<void>;
}

type ChangeEngine = Pick<Engine, "write" | "readRelationships">;

/** inverse undoes a write: what was written is deleted, what was deleted is put back. */
export function inverse(updates: RelationshipUpdate[]): RelationshipUpdate[] {
  return updates.map((u) => ({ operation: u.operation === "delete" ? "touch" : "delete", relationship: u.relationship }));
}

export async function applyChange(engine: ChangeEngine, change: Change): Promise<WriteResult> {
  const written = await engineCall(() => writeOrReadBack(engine, change), "body");
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
 * NOT_SENT: gRPC's words for a call that never left (no connection to the engine could be made):
 * nothing can have been written, so there is nothing to read back.
 */
const NOT_SENT = /No connection established|ECONNREFUSED/;

/** READ_BACK_BUDGET_MS bounds the reading back of one lost answer (each read retries on its own too). */
const READ_BACK_BUDGET_MS = 10_000;

/** ambiguous: the engine failed in a way that leaves open whether the write committed. */
function ambiguous(err: unknown): err is EngineError {
  if (!(err instanceof EngineError)) return false;
  const kind = err.failure.kind;
  return kind === "unavailable" || kind === "deadline_exceeded" || kind === "internal";
}

/**
 * writeOrReadBack writes the updates; when the answer is lost it reads back whether they took
 * effect, retrying while the engine is unreachable. It answers the write's result (the read's
 * zedToken when the outcome was read back) or rethrows the write's own failure when the
 * updates did not take effect or the outcome could not be learnt.
 */
async function writeOrReadBack(engine: ChangeEngine, change: Change): Promise<WriteResult> {
  try {
    return await engine.write(change.updates, change.preconditions);
  } catch (err) {
    if (!ambiguous(err) || NOT_SENT.test(err.failure.message)) throw err;
    const giveUpAt = Date.now() + READ_BACK_BUDGET_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await readOutcome(engine, change.updates);
        if (outcome) return outcome;
        throw err;
      } catch (readErr) {
        if (readErr === err || !ambiguous(readErr)) throw err;
        const delay = COMPENSATION_DELAYS_MS[attempt];
        if (delay === undefined || Date.now() + delay > giveUpAt) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

const sameSubject = (a: Relationship, b: Relationship) =>
  a.subject.type === b.subject.type && a.subject.id === b.subject.id && (a.subject.relation ?? "") === (b.subject.relation ?? "");

/** readOutcome: the engine's fully consistent token when every update shows, undefined otherwise. */
async function readOutcome(engine: ChangeEngine, updates: RelationshipUpdate[]): Promise<WriteResult | undefined> {
  let zedToken: string | undefined;
  for (const { operation, relationship: r } of updates) {
    const filter = { resourceType: r.resource.type, resourceId: r.resource.id, relation: r.relation, subject: { type: r.subject.type, id: r.subject.id } };
    const page = await engine.readRelationships(filter, { limit: 100 }, { kind: "full" });
    const present = page.relationships.some((found) => sameSubject(found, r));
    if (present !== (operation !== "delete")) return undefined;
    zedToken ??= page.zedToken;
  }
  return zedToken === undefined ? undefined : { zedToken };
}

/**
 * undo writes the inverse of the updates, retrying while the engine is unreachable. If it
 * still fails the caller gets a 503 naming the relationships left behind (the failure is
 * logged by the error mapper), never a 500 or a silent half-applied change.
 */
async function undo(engine: ChangeEngine, updates: RelationshipUpdate[]): Promise<void> {
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
