// watchRelationships streams relationship changes from the engine's watch, starting after a
// zedToken (to resume where a client left off) or from now, until the signal aborts.
import type { Engine, WatchEvent } from "../engine/engine.js";
import { fromEngineFailure } from "./errors.js";
import { EngineError } from "../engine/engine.js";

export function createWatchRelationships(deps: { engine: Pick<Engine, "watch"> }) {
  return {
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
