// fast-check-path wraps an engine in the check cache and the coalescer, where the engine is
// built (main.ts, the test server, the bench), so routes and domain code never know about
// either: app → CheckCache → CheckCoalescer → engine. Cache misses are what get coalesced.
import { CheckCache, tracksChanges } from "./check-cache.js";
import { CheckCoalescer } from "./check-coalescer.js";
import type { Engine } from "./engine.js";

export interface CheckPathOptions {
  cache: boolean;
  cacheMaxEntries: number;
  /** TTL of minimize_latency answers when the engine cannot see every change (remote mode). */
  cacheTtlMs: number;
  /** Misses of one (subject, resource type, permission) before its subject set is looked up; 0 = off. */
  subjectSetAfter: number;
  subjectSetMaxSize: number;
  subjectSetMaxIds: number;
  coalesce: boolean;
  coalesceMaxBatch: number;
  coalesceMaxInFlight: number;
}

/** DEFAULT_CHECK_PATH is what config.ts defaults to; chosen with `npm run bench` (docs/performance.md). */
export const DEFAULT_CHECK_PATH: Readonly<CheckPathOptions> = Object.freeze({
  cache: true,
  cacheMaxEntries: 100_000,
  cacheTtlMs: 1_000,
  subjectSetAfter: 1,
  subjectSetMaxSize: 10_000,
  subjectSetMaxIds: 1_000_000,
  coalesce: true,
  coalesceMaxBatch: 100,
  coalesceMaxInFlight: 2,
});

export interface CheckPath {
  engine: Engine;
  cache: CheckCache | undefined;
  coalescer: CheckCoalescer | undefined;
}

export function buildCheckPath(engine: Engine, options: CheckPathOptions = DEFAULT_CHECK_PATH): CheckPath {
  const coalescer = options.coalesce
    ? new CheckCoalescer(engine, { maxBatch: options.coalesceMaxBatch, maxInFlight: options.coalesceMaxInFlight })
    : undefined;
  const below = coalescer ?? engine;
  const cache = options.cache
    ? new CheckCache(below, {
        maxEntries: options.cacheMaxEntries,
        freshness: tracksChanges(engine) ? { kind: "exact", changes: engine } : { kind: "ttl", ttlMs: options.cacheTtlMs },
        subjectSets:
          options.subjectSetAfter > 0
            ? { after: options.subjectSetAfter, maxSetSize: options.subjectSetMaxSize, maxIds: options.subjectSetMaxIds }
            : undefined,
      })
    : undefined;
  return { engine: cache ?? below, cache, coalescer };
}
