// consistency-codec translates the freshness a request asks for — its consistency, a zedToken,
// the cursor of a paged read — between the engine port and SpiceDB's v1 messages.
import type { v1 } from "@authzed/authzed-node";
import { EngineError, type Consistency } from "../engine.js";

/** toConsistency resolves "read_your_writes" against the newest token this process acknowledged. */
export function toConsistency(consistency: Consistency | undefined, newestToken: string | undefined): v1.Consistency {
  const c = consistency ?? { kind: "read_your_writes" };
  switch (c.kind) {
    case "minimize_latency":
      return { requirement: { oneofKind: "minimizeLatency", minimizeLatency: true } };
    case "full":
      return { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } };
    case "at_least_as_fresh":
      return { requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: { token: c.token } } };
    case "read_your_writes":
      return newestToken
        ? { requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: { token: newestToken } } }
        : { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } };
  }
}

/** fromConsistency reads a request's consistency; unset means minimize_latency, as in SpiceDB. */
export function fromConsistency(consistency: v1.Consistency | undefined): Consistency {
  const r = consistency?.requirement;
  switch (r?.oneofKind) {
    case "fullyConsistent":
      return { kind: "full" };
    case "atLeastAsFresh":
      return { kind: "at_least_as_fresh", token: r.atLeastAsFresh.token };
    // NOTE: the port has no exact-snapshot reads; at least as fresh is the nearest safe answer.
    case "atExactSnapshot":
      return { kind: "at_least_as_fresh", token: r.atExactSnapshot.token };
    default:
      return { kind: "minimize_latency" };
  }
}

/** toZedToken wraps a token string, leaving it out when there is none. */
export function toZedToken(token: string | undefined): v1.ZedToken | undefined {
  return token ? { token } : undefined;
}

/**
 * encodeCursor wraps SpiceDB's page cursor with the consistency of the first page: SpiceDB
 * refuses a cursor whose request differs, and "read your writes" would otherwise point each
 * page at a newer write. The next page resumes at exactly the same snapshot.
 */
export function encodeCursor(consistency: v1.Consistency, cursor: string): string {
  const r = consistency.requirement;
  const at = r.oneofKind === "atLeastAsFresh" ? r.atLeastAsFresh.token : r.oneofKind === "minimizeLatency" ? "~" : "";
  return Buffer.from(JSON.stringify({ c: cursor, t: at })).toString("base64url");
}

/** decodeCursor reverses encodeCursor; a cursor that was not made by it is an invalid argument. */
export function decodeCursor(encoded: string): { cursor: string; consistency: v1.Consistency } {
  try {
    const { c, t } = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as { c: unknown; t: unknown };
    if (typeof c !== "string" || typeof t !== "string") throw new Error("bad cursor");
    const consistency: v1.Consistency =
      t === "~"
        ? { requirement: { oneofKind: "minimizeLatency", minimizeLatency: true } }
        : t
          ? { requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: { token: t } } }
          : { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } };
    return { cursor: c, consistency };
  } catch {
    throw new EngineError({ kind: "invalid_argument", message: "cursor is not valid: pass back the cursor of the previous page" });
  }
}
