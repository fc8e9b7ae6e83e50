// Metrics: Prometheus metrics (prom-client) in a registry of this app's own — request counts
// and latencies by route and status, checks by result, engine call latency and errors, bulk
// batch sizes, the check cache (hits, misses, entries, drops; remote: the watch's health, lag,
// pulls and the own writes proven at once), event-loop lag and process metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CheckCacheStats } from "../engine/cache/cache-stats.js";
import type { EngineObserver } from "../engine/instrumented-engine.js";

/** The check cache's figures as metrics: [name, help, kind, the figure] (read at each scrape). */
const CACHE_FIGURES: Array<[string, string, "counter" | "gauge", (s: CheckCacheStats) => number | undefined, "remote"?]> = [
  ["accord_check_cache_hits_total", "Checks answered from the check cache", "counter", (s) => s.hits],
  ["accord_check_cache_misses_total", "Checks the check cache could have answered but did not hold, sent to the engine", "counter", (s) => s.misses],
  ["accord_check_cache_bypassed_total", "Checks the check cache may not answer (full consistency, the watch down, an unreadable token)", "counter", (s) => s.bypassed],
  ["accord_check_cache_entries", "Answers held by the check cache", "gauge", (s) => s.entries],
  ["accord_check_cache_subject_sets", "Subject sets held by the check cache", "gauge", (s) => s.sets],
  ["accord_check_cache_changes_total", "Changes the check cache was told of (writes, deletes, expiries, schema changes)", "counter", (s) => s.changes],
  ["accord_check_cache_dropped_total", "Answers dropped by those changes", "counter", (s) => s.dropped],
  ["accord_check_cache_watch_up", "Remote: 1 while the check cache's watch of SpiceDB is up (0: nothing is answered from memory)", "gauge", (s) => (s.watch ? (s.watch.healthy ? 1 : 0) : undefined), "remote"],
  ["accord_check_cache_watch_restarts_total", "Remote: restarts of the watch", "counter", (s) => s.watch?.restarts, "remote"],
  ["accord_check_cache_watch_pulls_total", "Remote: pulls made for checks ahead of the watch", "counter", (s) => s.watch?.pulls, "remote"],
  ["accord_check_cache_own_writes_proven_total", "Remote: this replica's writes proven exact from PostgreSQL's tokens before the watch brought them (checks at their token answered from memory at once)", "counter", (s) => s.watch?.proven, "remote"],
  ["accord_check_cache_watch_lag_p50_seconds", "Remote: median time from this replica's write to the watch passing it (recent writes)", "gauge", (s) => (s.watch?.lagMs.samples ? s.watch.lagMs.p50 / 1000 : undefined), "remote"],
  ["accord_check_cache_watch_lag_p99_seconds", "Remote: 99th percentile of that time (recent writes)", "gauge", (s) => (s.watch?.lagMs.samples ? s.watch.lagMs.p99 / 1000 : undefined), "remote"],
];

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: "accord_http_requests_total", help: "HTTP requests by route and status", labelNames: ["method", "route", "status"], registers: [this.registry] });
  private readonly latency = new Histogram({
    name: "accord_http_request_duration_seconds",
    help: "HTTP request latency by route and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly checks = new Counter({ name: "accord_checks_total", help: "Permission checks answered, by result", labelNames: ["result"], registers: [this.registry] });
  private readonly engineLatency = new Histogram({
    name: "accord_engine_call_duration_seconds",
    help: "Engine call latency by method",
    labelNames: ["method"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly engineErrors = new Counter({ name: "accord_engine_errors_total", help: "Engine call failures by method and kind", labelNames: ["method", "kind"], registers: [this.registry] });
  private readonly batchSize = new Histogram({
    name: "accord_engine_bulk_batch_size",
    help: "Items per bulk check sent to the engine",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000],
    registers: [this.registry],
  });

  private cacheObserved = false;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "accord_" });
  }

  /** observeRequest counts and times one request (pipeline/express-stages.ts, and the fast check path). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  countCheck(result: "allowed" | "denied" | "conditional", count = 1): void {
    this.checks.inc({ result }, count);
  }

  /**
   * observeCache reports the check cache's figures, read from `stats` at each scrape (a figure the
   * cache does not have, e.g. the watch's in embedded mode, is left out).
   */
  observeCache(stats: () => CheckCacheStats): void {
    if (this.cacheObserved) return;
    this.cacheObserved = true;
    // One snapshot serves every figure of a scrape (stats() sorts its recent samples): a scrape
    // collects all figures within one turn of the event loop, and the snapshot ends with it.
    let snapshot: CheckCacheStats | undefined;
    const current = () => {
      if (!snapshot) {
        snapshot = stats();
        setImmediate(() => (snapshot = undefined));
      }
      return snapshot;
    };
    const remote = current().watch !== undefined;
    for (const [name, help, kind, figure, only] of CACHE_FIGURES) {
      if (only === "remote" && !remote) continue;
      // Counters are set to the cache's running totals: reset, then increased by the total.
      const collect =
        kind === "counter"
          ? function (this: Counter) {
              this.reset();
              const value = figure(current());
              if (value !== undefined) this.inc(value);
            }
          : function (this: Gauge) {
              this.reset();
              const value = figure(current());
              if (value !== undefined) this.set(value);
            };
      if (kind === "counter") new Counter({ name, help, registers: [this.registry], collect: collect as (this: Counter) => void });
      else new Gauge({ name, help, registers: [this.registry], collect: collect as (this: Gauge) => void });
    }
  }

  engineObserver(): EngineObserver {
    return {
      call: (method, seconds, failure) => {
        this.engineLatency.observe({ method }, seconds);
        if (failure) this.engineErrors.inc({ method, kind: failure });
      },
      batch: (size) => this.batchSize.observe(size),
    };
  }
}
