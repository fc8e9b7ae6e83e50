// mixed measures checks while admins write (issue 17): 64 connections of the skewed check mix
// on /v1/check while a writer sends, at a steady rate, resource shares (a viewer grant or its
// removal, toggled) or group-membership changes through POST /v1/relationships. Each run
// reports the check rate and latency, the cache's hit rate, the answers each change dropped,
// the watch's lag (remote), and the writes actually made per second; the plain node:http echo
// p99 at the same concurrency is taken in the same phase.
import type { Dataset } from "./dataset.js";
import { httpLoad } from "./http-load.js";
import { machineCpu, processTreeTicks } from "./machine-cpu.js";
import type { BenchServer } from "./server-control.js";

export interface MixedRun {
  label: string;
  /** Writes asked for per second, and made (acknowledged with 200). */
  writesAsked: number;
  writesMade: number;
  writeErrors: number;
  /** How long a write took, acknowledged (ms). */
  writeP50: number;
  writeP99: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  hitRate: number;
  /** Answers each change dropped (p50/p99 of the run's changes). */
  droppedP50: number;
  droppedP99: number;
  /** Remote: the watch's lag behind this replica's own writes (ms). */
  watchLagP50?: number;
  watchLagP99?: number;
  /** Remote: the share of this replica's writes proven exact before the watch brought them (served at once). */
  provenShare?: number;
  /** The cache's entries and subject sets at the end of the run (bounded by their budgets). */
  entries: number;
  sets: number;
  /** Subject-set lookups asked of the engine per second during the run. */
  lookupsPerSecond: number;
  /** Checks the cache did not hold, sent to the engine, per second. */
  missesPerSecond: number;
  /**
   * Cores busy during the run: the server's event loop, its other threads (the embedded engine),
   * the load generator, the engine's processes by name (remote: SpiceDB, its PostgreSQL, the app
   * state's PostgreSQL), and everything else on the machine.
   */
  cores?: { loop: number; serverThreads: number; loadGenerator: number; processes: Record<string, number>; rest: number };
}

export interface MixedPhase {
  mode: "embedded" | "remote";
  engine: string;
  connections: number;
  seconds: number;
  echoP99: number;
  /** The no-write rate the ratios are taken against: the mean of the first run and the last (both without writes). */
  baseRps: number;
  runs: MixedRun[];
}

interface Stats {
  hits: number;
  misses: number;
  entries: number;
  sets: number;
  setLookups: number;
  droppedPerChange: { p50: number; p99: number };
  watch?: { proven: number; lagMs: { p50: number; p99: number; samples: number } };
}

/** writeTargets lists what the writer touches: resources, groups and users of the dataset. */
function writeTargets(dataset: Dataset) {
  const resources = [...dataset.resourcesOf.values()].flat();
  const groups = dataset.byOrg.flat().flatMap((op) => (op.kind === "group" ? [op.group] : []));
  // Users that are not the check mix's hottest subjects' only source of answers: any user.
  return { resources, groups, users: dataset.users };
}

/** writer sends `perSecond` writes of one kind, evenly spaced, until stopped; each write toggles one relationship. */
function startWriter(server: BenchServer, app: "accord" | "remote", key: string, kind: "share" | "group", perSecond: number, targets: ReturnType<typeof writeTargets>) {
  let made = 0;
  let failed = 0;
  const took: number[] = [];
  let stopped = false;
  const held = new Set<string>();
  let n = 0;
  const inFlight = new Set<Promise<void>>();
  const one = async () => {
    n += 1;
    const user = targets.users[(n * 7919) % targets.users.length]!;
    const relationship =
      kind === "share"
        ? `resource:${targets.resources[(n * 104_729) % targets.resources.length]}#viewer@user:${user}`
        : `group:${targets.groups[(n * 15_485_863) % targets.groups.length]}#direct_member@user:${user}`;
    const operation = held.has(relationship) ? "delete" : "touch";
    if (operation === "delete") held.delete(relationship);
    else held.add(relationship);
    const t0 = performance.now();
    try {
      const res = await fetch(`${server.url(app)}/v1/relationships`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ updates: [{ operation, relationship }] }),
      });
      await res.arrayBuffer();
      if (res.status === 200) {
        made += 1;
        took.push(performance.now() - t0);
      } else failed += 1;
    } catch {
      failed += 1;
    }
  };
  const started = performance.now();
  const done = (async () => {
    if (perSecond <= 0) return;
    for (let i = 0; !stopped; i++) {
      const due = started + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stopped) break;
      // At most 8 writes in flight: a writer that falls behind shows as fewer writes made.
      if (inFlight.size >= 8) await Promise.race(inFlight);
      const p = one().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      took.sort((a, b) => a - b);
      const at = (p: number) => took[Math.min(took.length - 1, Math.floor((p / 100) * took.length))] ?? 0;
      return { made, failed, seconds: (performance.now() - started) / 1000, p50: at(50), p99: at(99) };
    },
  };
}

export async function mixedPhase(options: {
  server: BenchServer;
  app: "accord" | "remote";
  mode: "embedded" | "remote";
  engine: string;
  key: string;
  dataset: Dataset;
  checks: string[];
  seconds: number;
  log: (line: string) => void;
  /** How many of the stream's first requests the cache holds the answers to when the phase starts. */
  primed: number;
  /** Warm passes at most before the runs. */
  warmPasses: number;
  /** A CPU profile of the server during the 50 shares/s run is written here. */
  profile?: string;
  /** Processes whose CPU time (with their children's) each run reports by name (remote: SpiceDB, PostgreSQL). */
  processes?: Array<{ name: string; pids: () => number[] }>;
}): Promise<MixedPhase> {
  const { server, app, key, seconds } = options;
  const connections = 64;
  const targets = writeTargets(options.dataset);
  const stats = () => server.ask<Stats>({ type: "cache-stats", app });
  const round = (n: number, digits = 2) => Number(n.toFixed(digits));
  // Prime the cache with the answers to the stream's first `primed` requests (the ones every run
  // starts with) — a server that served them since the last write, the same in both modes —
  // then warm the JIT with the same mix: the runs measure a server in use.
  const primeStarted = performance.now();
  await server.ask({ type: "prime", app, from: 0, to: options.primed });
  const primeSeconds = (performance.now() - primeStarted) / 1000;
  let warmPasses = 0;
  let warmRate = 0;
  // Warm passes replay the runs' stream until one answers ≥ 97% from the cache (at most
  // `warmPasses`): a short run otherwise measures its "no writes" baseline on a cache still filling.
  // The passes follow one another without draining in between (set lookups a pass asked for go on
  // warming the next); the runs below each start drained.
  for (let pass = 1; pass <= options.warmPasses; pass++) {
    const warmBefore = await stats();
    await httpLoad({ url: server.url(app), path: "/v1/check", key, bodies: options.checks, connections, seconds: Math.max(2, seconds), start: 0 });
    const warmAfter = await stats();
    const warmHits = warmAfter.hits - warmBefore.hits;
    warmRate = warmHits / Math.max(1, warmHits + warmAfter.misses - warmBefore.misses);
    warmPasses = pass;
    if (warmRate >= 0.97) break;
  }
  options.log(`mixed ${options.mode}: primed ${options.primed} requests in ${primeSeconds.toFixed(1)} s · ${warmPasses} warm pass(es) of ${Math.max(2, seconds)} s, the last at ${(warmRate * 100).toFixed(0)}% hits`);
  await server.ask({ type: "drain" });
  const echo = await httpLoad({ url: server.url("bare"), path: "/echo", key, bodies: options.checks, connections, seconds: Math.max(2, seconds / 2) });
  const plan: Array<{ label: string; kind: "share" | "group"; perSecond: number }> = [
    { label: "no writes", kind: "share", perSecond: 0 },
    { label: "10 shares/s", kind: "share", perSecond: 10 },
    { label: "50 shares/s", kind: "share", perSecond: 50 },
    { label: "10 group changes/s", kind: "group", perSecond: 10 },
    // The baseline again at the end (A-B-A): the machine and the cache drift over a phase.
    { label: "no writes, again", kind: "share", perSecond: 0 },
  ];
  const runs: MixedRun[] = [];
  for (const step of plan) {
    await server.ask({ type: "drain" });
    await server.ask({ type: "cache-stats-reset", app });
    const before = await stats();
    const profile = options.profile && step.perSecond === 50 ? options.profile : undefined;
    if (profile) await server.ask({ type: "profile-start" });
    const machineBefore = machineCpu()?.busy;
    const processesBefore = (options.processes ?? []).map((p) => processTreeTicks(p.pids()));
    const serverBefore = await server.ask<{ main: number; other: number }>({ type: "cpu" });
    const clientBefore = process.cpuUsage();
    const t0 = performance.now();
    const writer = startWriter(server, app, key, step.kind, step.perSecond, targets);
    const load = await httpLoad({ url: server.url(app), path: "/v1/check", key, bodies: options.checks, connections, seconds, start: 0 });
    const written = await writer.stop();
    const wall = (performance.now() - t0) / 1000;
    const client = process.cpuUsage(clientBefore);
    const serverAfter = await server.ask<{ main: number; other: number }>({ type: "cpu" });
    const machineAfter = machineCpu()?.busy;
    const processTicks = (options.processes ?? []).map((p, i) => processTreeTicks(p.pids()) - processesBefore[i]!);
    if (profile) await server.ask({ type: "profile-stop", path: profile });
    const after = await stats();
    const hits = after.hits - before.hits;
    const misses = after.misses - before.misses;
    const run: MixedRun = {
      label: step.label,
      writesAsked: step.perSecond,
      writesMade: round(written.made / written.seconds, 1),
      writeErrors: written.failed,
      writeP50: round(written.p50),
      writeP99: round(written.p99),
      rps: round(load.rps, 0),
      p50: round(load.p50),
      p99: round(load.p99),
      errors: load.errors + load.non2xx,
      hitRate: round(hits / Math.max(1, hits + misses), 3),
      droppedP50: after.droppedPerChange.p50,
      droppedP99: after.droppedPerChange.p99,
      entries: after.entries,
      sets: after.sets,
      lookupsPerSecond: round((after.setLookups - before.setLookups) / seconds, 1),
      missesPerSecond: round(misses / wall, 1),
    };
    // Ticks are 1/100 s (USER_HZ); the load generator's time is in µs.
    const loop = (serverAfter.main - serverBefore.main) / 100;
    const serverThreads = (serverAfter.other - serverBefore.other) / 100;
    const loadGenerator = (client.user + client.system) / 1e6;
    if (machineBefore !== undefined && machineAfter !== undefined) {
      const named = processTicks.reduce((a, b) => a + b, 0) / 100;
      const rest = Math.max(0, (machineAfter - machineBefore) / 100 - loop - serverThreads - loadGenerator - named);
      const processes = Object.fromEntries((options.processes ?? []).map((p, i) => [p.name, round(processTicks[i]! / 100 / wall)]));
      run.cores = { loop: round(loop / wall), serverThreads: round(serverThreads / wall), loadGenerator: round(loadGenerator / wall), processes, rest: round(rest / wall) };
    }
    if (after.watch && after.watch.lagMs.samples > 0) {
      run.watchLagP50 = round(after.watch.lagMs.p50, 1);
      run.watchLagP99 = round(after.watch.lagMs.p99, 1);
      run.provenShare = round((after.watch.proven - (before.watch?.proven ?? 0)) / Math.max(1, written.made), 3);
    }
    runs.push(run);
    const base = runs[0]!.rps;
    options.log(
      `mixed ${options.mode} ${step.label}: ${run.rps} checks/s (${(run.rps / Math.max(1, base)).toFixed(2)}×) p50 ${run.p50} p99 ${run.p99} ms · hits ${(run.hitRate * 100).toFixed(0)}% · dropped/change p50 ${run.droppedP50} p99 ${run.droppedP99}` +
        `${run.watchLagP50 !== undefined ? ` · watch lag p50 ${run.watchLagP50} p99 ${run.watchLagP99} ms, ${((run.provenShare ?? 0) * 100).toFixed(0)}% of writes proven at once` : ""} · writes ${run.writesMade}/s of ${run.writesAsked} (${run.writeErrors} failed, p50 ${run.writeP50} p99 ${run.writeP99} ms) · misses ${run.missesPerSecond}/s · set lookups ${run.lookupsPerSecond}/s · errors ${run.errors}` +
        `${run.cores ? ` · cores: loop ${run.cores.loop}, server threads ${run.cores.serverThreads}, load generator ${run.cores.loadGenerator}, ${Object.entries(run.cores.processes).map(([name, cores]) => `${name} ${cores}, `).join("")}rest ${run.cores.rest}` : ""}`,
    );
  }
  const baseRps = round((runs[0]!.rps + runs.at(-1)!.rps) / 2, 0);
  const ratios = runs.slice(1, -1).map((run) => `${run.label} ${(run.rps / Math.max(1, baseRps)).toFixed(2)}×`);
  options.log(`mixed ${options.mode}: no-write rate ${baseRps}/s (mean of first and last run) · ${ratios.join(" · ")}`);
  return { mode: options.mode, engine: options.engine, connections, seconds, echoP99: round(echo.p99), baseRps, runs };
}
