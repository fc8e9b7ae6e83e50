// Metrics: Prometheus metrics (prom-client) in a registry of this app's own — request counts
// and latencies by route and status, checks by result, engine call latency and errors, bulk
// batch sizes, event-loop lag and process metrics.
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { EngineObserver } from "../engine/instrumented-engine.js";

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
