// watchRelationships streams relationship changes from the engine's watch, starting after a
// zedToken (to resume where a client left off) or from now, until the signal aborts.
import type { Engine, WatchEvent } from "../../engine/engine.js";
import { DomainError, fromEngineFailure } from "../errors.js";
import { EngineError } from "../../engine/engine.js";

export function createWatchRelationships(deps: { engine: Pick<Engine, "watch" | "watchAvailability"> }) {
  return {
    /** ensureAvailable fails at once (503, with the reason) when the engine cannot watch at all. */
    async ensureAvailable(): Promise<void> {
      const availability = await deps.engine.watchAvailability();
      if (!availability.available) throw new DomainError({ kind: "unavailable", detail: `watch unavailable: ${availability.reason}` });
    },
    async *execute(input: { fromToken?: string; signal: AbortSignal }): AsyncIterable<WatchEvent> {
      try {
        yield* deps.engine.watch(input.fromToken, input.signal);
      } catch (err) {
        if (err instanceof EngineError) throw fromEngineFailure(err.failure, "Last-Event-ID");
        throw err;
      }
    },
  };
}
