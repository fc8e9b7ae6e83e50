// server-process runs Accord for the bench in its own process (so the load generator shares
// neither its event loop nor its RSS): one embedded engine, and on it four HTTP servers —
//   accord   the production check path (exact cache + coalescing, DEFAULT_CHECK_PATH)
//   nocache  coalescing only (cache off)
//   plain    the engine as is (neither: the check path before issue 8)
//   echo     a trivial JSON POST echo behind the same middleware as Accord (the HTTP ceiling)
//   bare     the same echo on plain node:http, no middleware (the floor of any Node HTTP server here)
//   remote   (with options.remote) Accord in remote mode: RemoteEngine → a SpiceDB gRPC endpoint
// and answers the bench's questions over IPC: event-loop delay, cache statistics, RSS, and raw
// in-process engine load (the fastest way this package can issue single checks, no HTTP).
import express from "express";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { buildApp } from "../../src/compose.js";
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import { loadConfig } from "../../src/config.js";
import { lowerThreadPriority } from "../../src/engine/embedded/thread-priority.js";
import { RemoteEngine } from "../../src/engine/remote/remote-engine.js";
import type { CheckItem, Engine } from "../../src/engine/engine.js";
import { DEFAULT_CHECK_PATH } from "../../src/config.js";
import { buildCheckPath } from "../../src/engine/cache/fast-check-path.js";
import { ApiKeyRing } from "../../src/auth/api-keys.js";
import { authenticate, beginRequest } from "../../src/http/pipeline/express-stages.js";
import { Metrics } from "../../src/http/metrics.js";
import { createLogger } from "../../src/logger.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { PostgresStore } from "../../src/store/postgres-store.js";
import type { Store } from "../../src/store/store.js";
import { WalFlush } from "../../src/store/wal-flush.js";

export interface ServerOptions {
  schemaFile: string;
  dataDir: string;
  key: string;
  /**
   * A SpiceDB gRPC endpoint for the remote-mode server, and optionally a PostgreSQL database for
   * its app state (audit log) as a remote replica keeps it (else the embedded servers' SQLite).
   */
  remote?: { endpoint: string; token: string; databaseUrl?: string };
}

export type Request =
  | { type: "eld-start" }
  | { type: "eld-stop" }
  | { type: "cache-reset" }
  | { type: "stats" }
  | { type: "memory" }
  | { type: "set-items"; items: CheckItem[] }
  | { type: "raw-load"; concurrency: number; seconds: number }
  | { type: "prime"; from: number; to: number; app?: "accord" | "remote" }
  | { type: "drain" }
  | { type: "idle" }
  | { type: "cpu" }
  | { type: "profile-start" }
  | { type: "profile-stop"; path: string }
  | { type: "cache-stats"; app: "accord" | "remote" }
  | { type: "cache-stats-reset"; app: "accord" | "remote" }

  | { type: "close" };

const options = JSON.parse(process.argv[2]!) as ServerOptions;
const started = performance.now();
// As src/compose.ts does: one fsync round covers the journal and the app state.
const walFlush = new WalFlush();
const engine = await EmbeddedEngine.open({ schema: readFileSync(options.schemaFile, "utf8"), dataDir: options.dataDir, walFlush });
const openMs = performance.now() - started;
// As src/main.ts does (ACCORD_ENGINE_NICE, default 10; BENCH_ENGINE_NICE=0 for experiments).
const engineNice = Number(process.env.BENCH_ENGINE_NICE ?? loadConfig({}).engineNice);
if (engineNice > 0) lowerThreadPriority({ nice: engineNice });
const store = await SqliteStore.open(options.dataDir, walFlush);
const keys = ApiKeyRing.fromConfig([{ name: "bench", key: options.key, scopes: ["admin"] }]);
const logger = createLogger("silent");
// BENCH_CHECK_PATH (JSON) overrides the accord server's check path options, for experiments.
/** BENCH_CHECK_PATH (JSON, e.g. {"subjectSetAfter":3}) changes the check path's settings of both modes (--env). */
const checkPathOptions = { ...DEFAULT_CHECK_PATH, ...(JSON.parse(process.env.BENCH_CHECK_PATH ?? "{}") as object) };
const accordPath = buildCheckPath(engine, checkPathOptions);
const nocachePath = buildCheckPath(engine, { ...DEFAULT_CHECK_PATH, cache: false });

function echoApp(): express.Express {
  // The pipeline stages every Accord request passes before its route (see src/http/app.ts), then an echo.
  const app = express();
  app.disable("x-powered-by");
  app.use(beginRequest({ logger, metrics: new Metrics(), requestTimeoutMs: 30_000 }));
  app.use(authenticate({ keys: () => keys }));
  app.use(express.json({ limit: "1mb", strict: false }));
  app.post("/echo", (req, res) => {
    res.json(req.body);
  });
  return app;
}

let active = 0;

/** bareEcho answers a POST with its own JSON body on plain node:http: no middleware, no parsing. */
function bareEcho(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
}

function listen(handler: RequestListener): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer(handler).listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    server.on("request", (_req, res) => {
      active += 1;
      res.on("close", () => (active -= 1));
    });
  });
}

/** drain waits until no request is in flight, so one run's stragglers do not load the next. */
async function drain(): Promise<{ waitedMs: number }> {
  const t0 = performance.now();
  while (active > 0 && performance.now() - t0 < 120_000) await new Promise((resolve) => setTimeout(resolve, 20));
  // A request the client gave up on may still run in the engine: one more lookup and one more
  // check queue behind whatever is left, so they return when the engine is idle again.
  await engine.lookupResources({ resourceType: "project", permission: "view", subject: { type: "user", id: "power" } });
  if (items[0]) await engine.check(items[0]);
  // Subject-set lookups the run asked for would otherwise go on loading the next run.
  await accordPath.cache?.idle();
  await remotePath?.cache?.idle();
  return { waitedMs: Math.round(performance.now() - t0) };
}

const app = (e: Engine, appStore: Store = store) => buildApp({ engine: e, store: appStore, keys, logger });
const remoteEngine = options.remote ? await RemoteEngine.connect({ endpoint: options.remote.endpoint, token: options.remote.token, insecure: true, schema: readFileSync(options.schemaFile, "utf8") }) : undefined;
const remoteStore = options.remote?.databaseUrl ? await PostgresStore.open({ connectionString: options.remote.databaseUrl }) : undefined;
const remotePath = remoteEngine ? buildCheckPath(remoteEngine, checkPathOptions) : undefined;
const cacheOf = (name: "accord" | "remote") => (name === "remote" ? remotePath : accordPath)?.cache;
const ports = {
  accord: await listen(app(accordPath.engine)),
  nocache: await listen(app(nocachePath.engine)),
  plain: await listen(app(engine)),
  echo: await listen(echoApp()),
  bare: await listen(bareEcho),
  remote: remotePath ? await listen(app(remotePath.engine, remoteStore)) : 0,
};

const delay = monitorEventLoopDelay({ resolution: 1 });

/** gcPauses sums the garbage collector's pauses of the main thread between two takes. */
const gcPauses = (() => {
  let pauses: number[] = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry.duration);
  }).observe({ entryTypes: ["gc"] });
  return {
    take() {
      const taken = pauses.sort((a, b) => a - b);
      pauses = [];
      return { pauses: taken.length, totalMs: Math.round(taken.reduce((a, b) => a + b, 0)), over10ms: taken.filter((d) => d > 10).length, maxMs: Math.round(taken.at(-1) ?? 0) };
    },
  };
})();
let items: CheckItem[] = [];

function memory(): { rssMb: number; peakRssMb: number } {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb("VmRSS") / 1024), peakRssMb: Math.round(kb("VmHWM") / 1024) };
}

/**
 * cpu reads the CPU time (clock ticks, 100 per second) of this process's threads: the main
 * thread — the event loop — apart from all others (SpiceDB's Go runtime, the libuv pool, V8's
 * helpers), to show where a run's time goes.
 */
function cpu(): { main: number; other: number } {
  let main = 0;
  let other = 0;
  for (const tid of readdirSync("/proc/self/task")) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    } catch {
      continue; // the thread ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    if (Number(tid) === process.pid) main += ticks;
    else other += ticks;
  }
  return { main, other };
}

const session = new Session();

/** rawLoad keeps `concurrency` single engine checks in flight for `seconds`. */
async function rawLoad(concurrency: number, seconds: number) {
  const latencies: number[] = [];
  let next = Math.floor(Math.random() * items.length);
  let errors = 0;
  let firstError: string | undefined;
  const end = performance.now() + seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const item = items[next++ % items.length]!;
      const t = performance.now();
      try {
        await engine.check(item);
      } catch (err) {
        errors += 1;
        firstError ??= String(err);
      }
      latencies.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { count: latencies.length, errors, firstError, seconds: (performance.now() - t0) / 1000, latencies: summarize(latencies) };
}

/**
 * prime empties the cache and fills it with the answers to items[from, to) — the requests that
 * came before a run in the same stream — as a server that served them since the last write.
 */
async function prime(from: number, to: number, app: "accord" | "remote" = "accord") {
  const path = app === "remote" ? remotePath : accordPath;
  if (!path) throw new Error(`no ${app} server in this process`);
  path.cache?.clear();
  const unique = new Map<string, CheckItem>();
  for (let i = from; i < to; i++) {
    const item = items[((i % items.length) + items.length) % items.length]!;
    unique.set(`${item.resource.type}:${item.resource.id}#${item.permission}@${item.subject.id}`, item);
  }
  const slice = [...unique.values()];
  // Grouped by subject and permission, so each bulk call is a few engine dispatches.
  slice.sort((x, y) => (x.subject.id + x.permission < y.subject.id + y.permission ? -1 : 1));
  // In chunks, four at a time, waiting after each four for the subject sets their misses asked
  // for (built in the background): as a server would have built them while it served these requests.
  for (let i = 0; i < slice.length; i += 400) {
    const chunks: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(i + 400, slice.length); j += 100) chunks.push(path.engine.checkBulk(slice.slice(j, Math.min(j + 100, i + 400))));
    await Promise.all(chunks);
    await path.cache?.idle();
  }
  return path.cache?.stats() ?? {};
}

function summarize(values: number[]) {
  values.sort((a, b) => a - b);
  const at = (p: number) => values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;
  return { p50: at(50), p99: at(99) };
}

async function handle(request: Request): Promise<unknown> {
  switch (request.type) {
    case "eld-start":
      delay.reset();
      delay.enable();
      return {};
    case "eld-stop":
      delay.disable();
      return {
        p50: delay.percentile(50) / 1e6,
        p90: delay.percentile(90) / 1e6,
        p99: delay.percentile(99) / 1e6,
        p999: delay.percentile(99.9) / 1e6,
        max: delay.max / 1e6,
        samples: delay.count,
        gc: gcPauses.take(),
      };
    case "cache-reset":
      accordPath.cache?.clear();
      return {};
    case "stats":
      return { cache: accordPath.cache?.stats(), coalescer: accordPath.coalescer?.stats(), nocacheCoalescer: nocachePath.coalescer?.stats(), relationships: engine.journalSize() };
    case "cache-stats":
      return cacheOf(request.app)?.stats() ?? {};
    case "cache-stats-reset":
      cacheOf(request.app)?.resetSamples();
      return {};
    case "memory":
      return memory();
    case "set-items":
      items = request.items;
      return { count: items.length };
    case "raw-load":
      return rawLoad(request.concurrency, request.seconds);
    case "prime":
      return prime(request.from, request.to, request.app);
    case "drain":
      return drain();
    case "idle":
      await accordPath.cache?.idle();
      return accordPath.cache?.stats() ?? {};
    case "cpu":
      return cpu();
    case "profile-start":
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
      return {};
    case "profile-stop": {
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(request.path, JSON.stringify(profile));
      session.disconnect();
      return {};
    }
    case "close":
      await remotePath?.cache?.stop();
      await remoteEngine?.close();
      await remoteStore?.close();
      await engine.close();
      await store.close();
      setImmediate(() => process.exit(0));
      return {};
  }
}

// The bench's process going away (finished, failed or interrupted) ends this one too.
process.on("disconnect", () => process.exit(0));
process.on("message", (message: { id: number; request: Request }) => {
  handle(message.request).then(
    (result) => process.send!({ id: message.id, result }),
    (err: unknown) => process.send!({ id: message.id, error: String(err) }),
  );
});
process.send!({ id: 0, result: { ports, openMs, stats: engine.stats, memory: memory() } });
