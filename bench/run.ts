// npm run bench — the check path measured side by side in one run (issue 8). Starts Accord
// embedded on a temporary data dir in its own process, seeds a dataset through the HTTP API,
// and at concurrency 1, 16, 64 and 256 measures (a) the raw engine in-process, (b) the HTTP
// ceiling (JSON echo behind Accord's middleware) and (b0) the same echo on plain node:http,
// (c) POST /v1/check with the cache on, and again with every answer cached (the same requests
// replayed), (c′) off, (c0) with neither cache nor coalescing, (d) POST /v1/check/bulk with 100
// items and (e) POST /v1/lookup/resources; checks through @accord/client (batched) vs raw fetch
// at 64 callers; then the capacity curve (check latency cold and warm,
// restart time, RSS) at 10k, 50k and 200k relationships. Writes bench/results.json and
// bench/RESULTS.md. BENCH_NODE_ARGS="--trace-gc …" passes node flags to the server process.
//
//   npm run bench                       full run (team dataset through the product endpoints)
//   npm run bench -- --quick            under 3 minutes: short runs, c=1/64, raw seeding, team only, no capacity table
//   npm run bench -- --size 50k         the side-by-side table on a larger dataset
//   options: --no-remote (skip remote mode, its comparison and mixed phase)  --mixed-seconds N  --seconds N  --capacity team,50k,200k
//            --real-capacity 100k,1m (the real engine's table; "" to skip)  --seed product|raw  --profile  --out DIR
//            --mixed-only (only the mixed phase, printed, no files written)
//            --env NAME=VALUE,… (for the server process, e.g. GOMAXPROCS=1)  --schema FILE (instead of schema.zed)
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { generate, relationshipsOf, SIZES, type SizeName } from "./lib/dataset.js";
import { httpLoad, } from "./lib/http-load.js";
import { buildPools, type Pools } from "./lib/pools.js";
import { figureLines, renderMarkdown, type CapacityRow, type Results, type Row } from "./lib/report.js";
import { seed, type SeedMode } from "./lib/seed.js";
import { directLoad } from "./lib/direct-client.js";
import { BenchServer, startEngineProcess } from "./lib/server-control.js";
import { realCapacity } from "./lib/real-capacity.js";
import { realSpicedbAvailable, SPICEDB_VERSION, startRealSpiceDb } from "./lib/real-spicedb.js";
import { mixedPhase, type MixedPhase } from "./lib/mixed.js";
import { startPrivatePostgres } from "../tools/cluster/private-postgres.js";
import { clientLoad } from "./lib/client-load.js";
import { machineCpu, type MachineCpu } from "./lib/machine-cpu.js";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag("quick");
const size = (option("size") ?? "team") as SizeName;
if (!(size in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(", ")}`);
const seconds = Number(option("seconds") ?? (quick ? 1 : 8));
// Quick: c=1 and c=64 only, so the whole run stays under 3 minutes.
const levels = quick ? [1, 64] : [1, 16, 64, 256];
// Quick: no capacity table (--capacity team adds it), so the whole run stays under 3 minutes.
const capacitySizes = (option("capacity") ?? (quick ? "" : "team,50k,200k")).split(",").filter(Boolean) as SizeName[];
// The real engine's capacity table (needs the SpiceDB binary or Go, and PostgreSQL's binaries).
const realCapacitySizes = (option("real-capacity") ?? (quick ? "" : "100k,1m")).split(",").filter(Boolean) as SizeName[];
const seedMode = (option("seed") ?? (quick || size !== "team" ? "raw" : "product")) as SeedMode;
const outDir = resolve(option("out") ?? join(import.meta.dirname));
const profileDir = flag("profile") ? resolve(outDir, "profiles") : undefined;
// Passed to the server process, e.g. --env GOMAXPROCS=1,UV_THREADPOOL_SIZE=8 (experiments).
const serverEnv = Object.fromEntries((option("env") ?? "").split(",").filter(Boolean).map((kv) => kv.split("=") as [string, string]));
const KEY = "bench-key-0123456789abcdef";
/** How many requests of the stream the cache has answered before each (c) run. */
const PRIMED = quick ? 300 : 20_000;
/** How many bulk requests (of 100 checks) the cache has answered before each (d) run. */
const PRIMED_BULK = quick ? 5 : 200;
/** How many requests of the stream the cache has answered when the mixed phase starts. */
const PRIMED_MIXED = quick ? 0 : 20_000;
/** Warm passes of the mixed phase at most (each stops early once ≥ 97% of a pass are hits). */
const WARM_PASSES = quick ? 3 : 4;
/** Seconds per run of the mixed phase (checks while admins write). */
const MIXED_SECONDS = Number(option("mixed-seconds") ?? (quick ? 2 : 8));
// --schema FILE: another schema for the server (experiments, e.g. an older schema.zed beside today's code).
const schemaFile = resolve(option("schema") ?? join(import.meta.dirname, "..", "schema.zed"));
const log = (line: string) => process.stdout.write(`${line}\n`);
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

async function startServer(dataDir: string): Promise<BenchServer> {
  return BenchServer.start({ schemaFile, dataDir, key: KEY }, serverEnv);
}

async function seedDataset(server: BenchServer, name: SizeName, mode: SeedMode) {
  const dataset = generate(name);
  const t0 = performance.now();
  const { calls } = await seed({ url: server.url("accord"), key: KEY }, dataset, mode);
  const seedSeconds = (performance.now() - t0) / 1000;
  const { relationships } = await server.ask<{ relationships: number }>({ type: "stats" });
  const expected = new Set(dataset.byOrg.flat().flatMap(relationshipsOf)).size;
  if (relationships !== expected) log(`  note: the engine holds ${relationships} relationships; the raw rendering of the dataset has ${expected}`);
  log(`seeded ${name}: ${relationships} relationships, ${calls} HTTP calls (${mode}) in ${seedSeconds.toFixed(1)} s`);
  return { dataset, relationships, seedSeconds, calls };
}

/** measure runs one HTTP load with the server's event-loop delay recorded around it. */
async function measure(server: BenchServer, app: "accord" | "nocache" | "plain" | "echo" | "bare" | "remote", path: string, bodies: string[], connections: number, perRequest = 1, start?: number, profile?: string): Promise<Row & { sent: number }> {
  if (profile) await server.ask({ type: "profile-start" });
  await server.ask({ type: "eld-start" });
  const cpuBefore = await server.ask<{ main: number; other: number }>({ type: "cpu" });
  const clientBefore = process.cpuUsage();
  const t0 = performance.now();
  const result = await httpLoad({ url: server.url(app), path, key: KEY, bodies, connections, seconds, start });
  const wall = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(clientBefore);
  const cpuAfter = await server.ask<{ main: number; other: number }>({ type: "cpu" });
  const eld = await server.ask<{ p99: number; gc: NonNullable<Row["gc"]> }>({ type: "eld-stop" });
  if (profile) await server.ask({ type: "profile-stop", path: profile });
  await server.ask({ type: "drain" });
  return {
    connections,
    rps: round(result.rps * perRequest, 0),
    p50: round(result.p50),
    p99: round(result.p99),
    eldP99: round(eld.p99),
    gc: { pauses: eld.gc.pauses, totalMs: eld.gc.totalMs, over10ms: eld.gc.over10ms },
    non2xx: result.non2xx,
    errors: result.errors,
    sent: result.sent,
    // Cores busy during the run: the server's event loop, its other threads, the load generator.
    cpu: {
      main: round((cpuAfter.main - cpuBefore.main) / 100 / wall),
      other: round((cpuAfter.other - cpuBefore.other) / 100 / wall),
      client: round((client.user + client.system) / 1e6 / wall),
    },
  };
}

async function rawEngine(server: BenchServer, connections: number): Promise<Row> {
  await server.ask({ type: "eld-start" });
  const r = await server.ask<{ count: number; errors: number; firstError?: string; seconds: number; latencies: { p50: number; p99: number } }>({ type: "raw-load", concurrency: connections, seconds });
  const eld = await server.ask<{ p99: number }>({ type: "eld-stop" });
  if (r.errors) log(`  raw engine at c=${connections}: ${r.errors} checks failed, first: ${r.firstError}`);
  return { connections, rps: round(r.count / r.seconds, 0), p50: round(r.latencies.p50), p99: round(r.latencies.p99), eldP99: round(eld.p99), non2xx: 0, errors: r.errors };
}

interface CacheStats {
  cache: { hits: number; misses: number };
  coalescer: { checks: number; engineCalls: number; largestBatch: number };
  nocacheCoalescer: { checks: number; engineCalls: number; largestBatch: number };
}

async function sideBySide(server: BenchServer, pools: Pools) {
  const rows: Results["rows"] = { a: [], b: [], b0: [], c: [], cAll: [], cCold: [], cOff: [], c0: [], d: [], dOff: [], e: [] };
  let bulkCursor = PRIMED_BULK;
  const hitRates: number[] = [];
  const allHitRates: number[] = [];
  const bulkHitRates: number[] = [];
  const batchSizes: Array<{ cacheOn: number; cacheOff: number }> = [];
  // Warm up the JIT of every path once before anything is measured.
  for (const app of ["accord", "nocache", "plain", "echo", "bare"] as const) {
    await httpLoad({ url: server.url(app), path: app === "echo" || app === "bare" ? "/echo" : "/v1/check", key: KEY, bodies: pools.checks, connections: 16, seconds: 1 });
    await server.ask({ type: "drain" });
  }
  // Runs of (c) continue one stream of checks; each starts with the cache holding the answers to
  // the PRIMED requests just before it (a server that served them since the last write).
  let cursor = PRIMED;
  const stats = () => server.ask<CacheStats>({ type: "stats" });
  for (const c of levels) {
    rows.a.push(await rawEngine(server, c));
    rows.b.push(await measure(server, "echo", "/echo", pools.checks, c));
    rows.b0.push(await measure(server, "bare", "/echo", pools.checks, c));
    // Quick: primed once, before the first run, and kept (no write comes between the runs).
    if (!quick || c === levels[0]) await server.ask({ type: "prime", from: cursor - PRIMED, to: cursor });
    const before = await stats();
    const profile = profileDir && c === 64 ? join(profileDir, "check-cache-on-c64.cpuprofile") : undefined;
    const warm = await measure(server, "accord", "/v1/check", pools.checks, c, 1, cursor, profile);
    const sentBefore = pools.checks.slice(cursor, cursor + warm.sent);
    cursor += warm.sent;
    rows.c.push(warm);
    const after = await stats();
    const hits = after.cache.hits - before.cache.hits;
    hitRates.push(round(hits / Math.max(1, hits + after.cache.misses - before.cache.misses), 3));
    // The same requests again: now the cache holds every answer, so this is the check path itself.
    rows.cAll.push(await measure(server, "accord", "/v1/check", sentBefore, c, 1, 0));
    const afterAll = await stats();
    const allHits = afterAll.cache.hits - after.cache.hits;
    allHitRates.push(round(allHits / Math.max(1, allHits + afterAll.cache.misses - after.cache.misses), 3));
    if (!quick) {
      await server.ask({ type: "cache-reset" });
      const cold = await measure(server, "accord", "/v1/check", pools.checks, c, 1, cursor);
      cursor += cold.sent;
      rows.cCold.push(cold);
    }
    const beforeOff = await stats();
    rows.cOff.push(await measure(server, "nocache", "/v1/check", pools.checks, c));
    const afterOff = await stats();
    batchSizes.push({
      cacheOn: round((after.coalescer.checks - before.coalescer.checks) / Math.max(1, after.coalescer.engineCalls - before.coalescer.engineCalls), 1),
      cacheOff: round((afterOff.nocacheCoalescer.checks - beforeOff.nocacheCoalescer.checks) / Math.max(1, afterOff.nocacheCoalescer.engineCalls - beforeOff.nocacheCoalescer.engineCalls), 1),
    });
    if (!quick) rows.c0.push(await measure(server, "plain", "/v1/check", pools.checks, c));
    // Like (c): the cache holds what the bulk requests just before this run left in it.
    // (Quick: on top of what the (c) runs left, primed once.)
    if (!quick) await server.ask({ type: "cache-reset" });
    if (!quick || c === levels[0]) await primeBulk(server, pools.bulk, bulkCursor - PRIMED_BULK, bulkCursor);
    const beforeBulk = await stats();
    const bulk = await measure(server, "accord", "/v1/check/bulk", pools.bulk, c, 100, bulkCursor);
    const afterBulk = await stats();
    const bulkHits = afterBulk.cache.hits - beforeBulk.cache.hits;
    bulkHitRates.push(round(bulkHits / Math.max(1, bulkHits + afterBulk.cache.misses - beforeBulk.cache.misses), 3));
    bulkCursor += bulk.sent;
    rows.d.push(bulk);
    if (!quick) {
      const bulkOff = await measure(server, "nocache", "/v1/check/bulk", pools.bulk, c, 100, bulkCursor);
      bulkCursor += bulkOff.sent;
      rows.dOff.push(bulkOff);
    }
    rows.e.push(await measure(server, "accord", "/v1/lookup/resources", pools.lookup, c));
    const i = rows.c.length - 1;
    log(
      `c=${c}: raw ${rows.a[i]!.rps}/s · echo ${rows.b[i]!.rps}/s · check cache on ${rows.c[i]!.rps}/s p99 ${rows.c[i]!.p99} ms (hits ${(hitRates[i]! * 100).toFixed(0)}%) · off ${rows.cOff[i]!.rps}/s · bulk ${rows.d[i]!.rps} checks/s (hits ${(bulkHitRates[i]! * 100).toFixed(0)}%) · lookup ${rows.e[i]!.rps}/s`,
    );
  }
  return { rows, hitRates, allHitRates, bulkHitRates, batchSizes };
}

/** postAccord sends one JSON body to the production check path's server, with the bench key. */
function postAccord(server: BenchServer, path: string, body: string): Promise<Response> {
  return fetch(server.url("accord") + path, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body });
}

/** primeBulk sends bulk[from, to) to the cached server, four at a time, as the requests before a run. */
async function primeBulk(server: BenchServer, bulk: string[], from: number, to: number) {
  const send = async (body: string) => {
    const res = await postAccord(server, "/v1/check/bulk", body);
    if (!res.ok) throw new Error(`priming bulk: ${res.status} ${await res.text()}`);
  };
  for (let i = from; i < to; i += 4) await Promise.all(bulk.slice(i, Math.min(i + 4, to)).map(send));
  await server.ask({ type: "idle" });
}

/**
 * remoteMode compares Accord in remote mode (RemoteEngine → gRPC) with the official client
 * calling CheckPermission directly, on one SpiceDB gRPC endpoint in a process of its own: the
 * real SpiceDB (the pinned binary on a private PostgreSQL) when it can be built here, or else
 * the embedded engine behind Accord's gRPC endpoint.
 */
async function remoteMode(dataset: ReturnType<typeof generate>, pools: Pools): Promise<{ remote: Results["remote"]; mixed: MixedPhase }> {
  const token = "bench-engine-preshared-key-0123456789";
  const real = realSpicedbAvailable();
  const realEngine = real ? await startRealSpiceDb(token) : undefined;
  const engine = realEngine ?? (await startEngineProcess(schemaFile, token));
  // Accord's app state (the audit log) in PostgreSQL as a deployed replica keeps it, on a cluster
  // apart from SpiceDB's (docs/check-cache.md: own writes are proven only when SpiceDB's cluster
  // has no other writers).
  const appState = real ? await startPrivatePostgres() : undefined;
  if (appState) await appState.createDatabase("accord");
  const label = real
    ? `SpiceDB ${SPICEDB_VERSION} on its PostgreSQL datastore (private cluster, track_commit_timestamp=on); Accord's app state in PostgreSQL (a cluster of its own)`
    : "the embedded engine behind Accord's SpiceDB v1 gRPC service (no Go here to build SpiceDB)";
  const dataDir = mkdtempSync(join(tmpdir(), "accord-bench-"));
  const server = await BenchServer.start({ schemaFile, dataDir, key: KEY, remote: { endpoint: engine.endpoint, token, databaseUrl: appState?.url("accord") } }, serverEnv);
  const { zedToken } = await seed({ url: server.url("remote"), key: KEY }, dataset, "raw");
  await server.ask({ type: "set-items", items: pools.items });
  const accord: Row[] = [];
  const direct: Row[] = [];
  const profile = profileDir ? join(profileDir, "mixed-remote-50-shares.cpuprofile") : undefined;
  // Real SpiceDB: each run says what SpiceDB and each PostgreSQL took (their backends included).
  const pids = (pid: number | undefined) => (pid === undefined ? [] : [pid]);
  const processes = realEngine
    ? [
          { name: "SpiceDB", pids: () => pids(realEngine.node.pid()) },
          { name: "SpiceDB's PostgreSQL", pids: () => pids(realEngine.postgres.pid()) },
          { name: "app-state PostgreSQL", pids: () => pids(appState?.pid()) },
        ]
      : undefined;
  const mixed = await mixedPhase({ server, app: "remote", mode: "remote", engine: label, key: KEY, dataset, checks: pools.checks, seconds: MIXED_SECONDS, primed: PRIMED_MIXED, warmPasses: WARM_PASSES, log, profile, processes });
  // Quick: the comparison with the official client at c=64 only.
  for (const c of quick ? [64] : levels) {
    accord.push(await measure(server, "remote", "/v1/check", pools.checks, c));
    const d = await directLoad({ endpoint: engine.endpoint, token, zedToken, items: pools.items, connections: c, seconds });
    direct.push({ connections: c, rps: round(d.rps, 0), p50: round(d.p50), p99: round(d.p99), eldP99: 0, non2xx: 0, errors: d.errors });
    log(`remote c=${c}: Accord /v1/check ${accord.at(-1)!.rps}/s · authzed-node direct ${direct.at(-1)!.rps}/s`);
  }
  await server.close();
  await engine.close();
  await appState?.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { remote: { accord, direct, engine: label }, mixed };
}

/** capacity measures single-check latency cold (every check computed) and warm (all cached). */
async function capacity(server: BenchServer, name: SizeName, relationships: number, largestRelation: string, pools: Pools, dataDir: string): Promise<CapacityRow> {
  const capacitySeconds = Math.max(2, Math.min(seconds, 5));
  await server.ask({ type: "drain" });
  const cold = await httpLoad({ url: server.url("nocache"), path: "/v1/check", key: KEY, bodies: pools.checks, connections: 1, seconds: capacitySeconds });
  const warmBodies = pools.checks.slice(0, 300);
  await server.ask({ type: "cache-reset" });
  for (const body of warmBodies) await postAccord(server, "/v1/check", body);
  const warm = await httpLoad({ url: server.url("accord"), path: "/v1/check", key: KEY, bodies: warmBodies, connections: 1, seconds: capacitySeconds });
  const loaded = await server.ask<{ rssMb: number; peakRssMb: number }>({ type: "memory" });
  await server.close();
  const restarted = await startServer(dataDir);
  const row: CapacityRow = {
    size: name,
    relationships,
    largestRelation,
    coldP50: round(cold.p50),
    coldP99: round(cold.p99),
    coldRps: round(cold.rps, 0),
    warmP50: round(warm.p50),
    warmP99: round(warm.p99),
    restartMs: round(restarted.startMs, 0),
    replayMs: restarted.ready.stats.replayMs,
    rssMb: loaded.rssMb,
    peakRssMb: loaded.peakRssMb,
    rssAfterRestartMb: restarted.ready.memory.rssMb,
  };
  await restarted.close();
  log(`capacity ${name}: cold p50 ${row.coldP50} p99 ${row.coldP99} ms · warm p50 ${row.warmP50} p99 ${row.warmP99} ms · restart ${row.restartMs} ms (replay ${row.replayMs}) · RSS ${row.rssMb} MB`);
  return row;
}

async function relationSizes(server: BenchServer): Promise<string> {
  // The biggest (type, relation) decides what a check costs in the memory datastore.
  const counts = new Map<string, number>();
  for (const type of ["project", "organization", "group", "resource", "role_binding"]) {
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ resourceType: type, limit: "1000", ...(cursor ? { cursor } : {}) });
      const res = await fetch(`${server.url("accord")}/v1/relationships?${query}`, { headers: { authorization: `Bearer ${KEY}` } });
      const body = (await res.json()) as { relationships: Array<string | { relationship: string }>; cursor?: string };
      for (const r of body.relationships) {
        const text = typeof r === "string" ? r : r.relationship;
        const key = `${type}#${text.split("#")[1]!.split("@")[0]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      cursor = body.cursor;
    } while (cursor);
  }
  const [name, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  return `${name} ${count}`;
}

/** stolenSince: the share of CPU time the hypervisor gave to others during the run, in percent. */
function stolenSince(before: MachineCpu | undefined): number | undefined {
  const after = machineCpu();
  if (!before || !after || after.total === before.total) return undefined;
  return round((100 * (after.steal - before.steal)) / (after.total - before.total), 1);
}

/** readFigures reads what the test suites recorded in bench/figures/ (test/support/figures.ts). */
function readFigures(): Array<{ name: string; text: string; mode: string; date: string }> {
  const dir = join(import.meta.dirname, "figures");
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as { name: string; text: string; mode: string; date: string });
  } catch {
    return [];
  }
}

async function main() {
  const startedAt = new Date();
  const t0 = performance.now();
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    kernel: release(),
    loadBefore: loadavg().map((l) => round(l)),
    loadAfter: [] as number[],
    stolenPercent: undefined as number | undefined,
  };
  const cpuBefore = machineCpu();
  log(`accord bench — ${quick ? "quick" : "full"} run, size ${size}, ${seconds} s per point, load average ${machine.loadBefore.join(" ")}`);
  mkdirSync(outDir, { recursive: true });
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), "accord-bench-"));
  const dirs = [dataDir];
  const server = await startServer(dataDir);
  const seeded = await seedDataset(server, size, seedMode);
  const largest = await relationSizes(server);
  const pools = buildPools(seeded.dataset);
  await server.ask({ type: "set-items", items: pools.items });
  if (flag("mixed-only")) {
    // --mixed-only: only the mixed phase (embedded unless --remote-only, and remote unless --no-remote), printed, no files written.
    const profile = profileDir ? join(profileDir, "mixed-embedded-50-shares.cpuprofile") : undefined;
    if (!flag("remote-only")) await mixedPhase({ server, app: "accord", mode: "embedded", engine: "embedded", key: KEY, dataset: seeded.dataset, checks: pools.checks, seconds: MIXED_SECONDS, primed: PRIMED_MIXED, warmPasses: WARM_PASSES, log, profile });
    if (!flag("no-remote")) await remoteMode(seeded.dataset, pools);
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    return;
  }
  const lookupCheck = await postAccord(server, "/v1/lookup/resources", pools.lookup[0]!);
  const lookupCount = ((await lookupCheck.json()) as { resources: unknown[] }).resources.length;
  const side = await sideBySide(server, pools);
  const memory = await server.ask<{ rssMb: number; peakRssMb: number }>({ type: "memory" });
  // Issue 20: checks through @accord/client (batched) vs raw fetch to /v1/check, 64 callers.
  const client = await clientLoad({ url: server.url("accord"), key: KEY, bodies: pools.checks, callers: 64, seconds });
  log(`client at 64 callers: @accord/client ${client.client.rps}/s (${client.client.checksPerRequest} checks per call) · raw fetch ${client.raw.rps}/s · ratio ${client.ratio}`);
  const mixed: MixedPhase[] = [await mixedPhase({ server, app: "accord", mode: "embedded", engine: "the embedded engine (memory datastore, journal)", key: KEY, dataset: seeded.dataset, checks: pools.checks, seconds: MIXED_SECONDS, primed: PRIMED_MIXED, warmPasses: WARM_PASSES, log })];
  // Remote mode (with its mixed phase) in every run; --no-remote skips it.
  const remoteRun = flag("no-remote") ? undefined : await remoteMode(seeded.dataset, pools);
  if (remoteRun) mixed.push(remoteRun.mixed);
  const remote = remoteRun?.remote;
  const capacityRows: CapacityRow[] = [];
  if (capacitySizes.includes(size)) capacityRows.push(await capacity(server, size, seeded.relationships, largest, pools, dataDir));
  else await server.close();
  for (const name of capacitySizes.filter((s) => s !== size)) {
    const dir = mkdtempSync(join(tmpdir(), "accord-bench-"));
    dirs.push(dir);
    const other = await startServer(dir);
    const more = await seedDataset(other, name, "raw");
    const largestThere = await relationSizes(other);
    capacityRows.push(await capacity(other, name, more.relationships, largestThere, buildPools(more.dataset), dir));
  }
  let realRows: Results["realCapacity"];
  if (realCapacitySizes.length && realSpicedbAvailable()) {
    // A failure here must not lose the figures measured before it: it is logged and the table left out.
    realRows = await realCapacity({ sizes: realCapacitySizes, schema: readFileSync(schemaFile, "utf8"), schemaFile, key: KEY, seconds: Math.max(2, Math.min(seconds, 5)), log }).catch((err: unknown) => {
      log(`real-engine capacity failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
  } else if (realCapacitySizes.length) log("real-engine capacity skipped: no SpiceDB binary and no go to build one, or no PostgreSQL server binaries");
  machine.loadAfter = loadavg().map((l) => round(l));
  machine.stolenPercent = stolenSince(cpuBefore);
  const results: Results = {
    date: startedAt.toISOString(),
    mode: quick ? "quick" : "full",
    machine,
    size,
    seedMode,
    seedSeconds: round(seeded.seedSeconds, 1),
    relationships: seeded.relationships,
    secondsPerPoint: seconds,
    levels,
    lookupResources: lookupCount,
    primedRequests: PRIMED,
    primedBulk: PRIMED_BULK,
    largestRelation: largest,
    ...side,
    peakRssMb: memory.peakRssMb,
    remote,
    client,
    capacity: capacityRows,
    realCapacity: realRows,
    mixed,
    totalSeconds: 0,
  };
  results.totalSeconds = round((performance.now() - t0) / 1000, 0);
  const suffix = quick ? ".quick" : "";
  writeFileSync(join(outDir, `results${suffix}.json`), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(outDir, `RESULTS${suffix}.md`), [renderMarkdown(results), ...figureLines(readFigures())].join("\n"));
  log(`\n${renderMarkdown(results)}`);
  log(`wrote ${join(outDir, `RESULTS${suffix}.md`)} and results${suffix}.json in ${results.totalSeconds} s`);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
