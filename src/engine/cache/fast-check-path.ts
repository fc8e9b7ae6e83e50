// fast-check-path wraps an engine in the check cache and the coalescer, where the engine is
// built (main.ts, the test server, the bench), so routes and domain code never know about
// either: app → CheckCache → CheckCoalescer → engine. Cache misses are what get coalesced.
// The cache hears of changes from the engine itself (embedded) or from SpiceDB's Watch
// (remote); an engine that offers neither gets no cache.
import { CheckCache, type CacheSource } from "./check-cache.js";
import type { WatchedEngine } from "./watch-watermark.js";
import { CheckCoalescer } from "./check-coalescer.js";
import { DEFAULT_CHECK_PATH, type CheckPathOptions } from "../../config.js";
import { observesChanges, type Engine } from "../engine.js";

export interface CheckPath {
  engine: Engine;
  cache: CheckCache | undefined;
  coalescer: CheckCoalescer | undefined;
}

/** sourceOf: how the cache hears of changes — from the engine, or from its watch; none otherwise. */
function sourceOf(engine: Engine): CacheSource | undefined {
  if (observesChanges(engine)) return { kind: "local", engine };
  if (typeof (engine as Partial<WatchedEngine>).newestWriteToken === "function") return { kind: "watch", engine: engine as Engine & WatchedEngine };
  return undefined;
}

export function buildCheckPath(engine: Engine, options: CheckPathOptions = DEFAULT_CHECK_PATH): CheckPath {
  const coalescer = options.coalesce
    ? new CheckCoalescer(engine, { maxBatch: options.coalesceMaxBatch, maxInFlight: options.coalesceMaxInFlight })
    : undefined;
  const below = coalescer ?? engine;
  const source = options.cache ? sourceOf(engine) : undefined;
  const cache = source
    ? new CheckCache(below, {
        maxEntries: options.cacheMaxEntries,
        source,
        watchWaitMs: options.cacheWatchWaitMs,
        expiryMarginMs: source.kind === "watch" ? options.cacheExpiryMarginMs : undefined,
        subjectSets:
          options.subjectSetAfter > 0
            ? { after: options.subjectSetAfter, maxSetSize: options.subjectSetMaxSize, maxIds: options.subjectSetMaxIds }
            : undefined,
      })
    : undefined;
  return { engine: cache ?? below, cache, coalescer };
}
