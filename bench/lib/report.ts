import { cpus } from "node:os";
import type { ClientLoadResult } from "./client-load.js";
import type { MixedPhase, MixedRun } from "./mixed.js";
import type { RealCapacityRow } from "./real-capacity.js";
// report renders the bench's results as the Markdown of bench/RESULTS.md (results.json holds
// the same figures). Figures, ratios and targets — never pass/fail on timings in tests.

export interface Row {
  connections: number;
  /** Requests per second (checks per second for the bulk row). */
  rps: number;
  p50: number;
  p99: number;
  /** Event-loop delay p99 of the server process during the run (ms). */
  eldP99: number;
  /** The server's garbage-collector pauses during the run: how many, their sum, how many over 10 ms. */
  gc?: { pauses: number; totalMs: number; over10ms: number };
  non2xx: number;
  errors: number;
  /** Cores busy during the run: server event loop, other server threads, load generator. */
  cpu?: { main: number; other: number; client: number };
}

export type { RealCapacityRow };

export interface CapacityRow {
  size: string;
  relationships: number;
  largestRelation: string;
  coldP50: number;
  coldP99: number;
  coldRps: number;
  warmP50: number;
  warmP99: number;
  restartMs: number;
  replayMs: number;
  rssMb: number;
  peakRssMb: number;
  rssAfterRestartMb: number;
}

export interface Results {
  date: string;
  mode: "quick" | "full";
  machine: { cpu: string; cores: number; memoryGb: number; node: string; kernel: string; loadBefore: number[]; loadAfter: number[]; stolenPercent?: number };
  size: string;
  seedMode: string;
  seedSeconds: number;
  relationships: number;
  largestRelation?: string;
  secondsPerPoint: number;
  levels: number[];
  lookupResources: number;
  /** Requests of the stream answered into the cache before each steady-state (c) run. */
  primedRequests: number;
  /** Bulk requests answered into the cache before each steady-state (d) run. */
  primedBulk: number;
  rows: { a: Row[]; b: Row[]; b0: Row[]; c: Row[]; cAll: Row[]; cCold: Row[]; cOff: Row[]; c0: Row[]; d: Row[]; dOff: Row[]; e: Row[] };
  hitRates: number[];
  /** Hit rate of the (c, all cached) replay. */
  allHitRates: number[];
  bulkHitRates: number[];
  batchSizes: Array<{ cacheOn: number; cacheOff: number }>;
  peakRssMb: number;
  /** Remote mode: Accord's /v1/check vs the official client calling CheckPermission directly. */
  remote?: { accord: Row[]; direct: Row[]; engine: string };
  /** The real engine's capacity (remote mode on SpiceDB + PostgreSQL), beside the embedded curve. */
  realCapacity?: RealCapacityRow[];
  /** Checks through @accord/client (batched) vs raw fetch to /v1/check, 64 callers (issue 20). */
  client?: ClientLoadResult;
  /** Checks while admins write (issue 17), per mode. */
  mixed?: MixedPhase[];
  capacity: CapacityRow[];
  totalSeconds: number;
}

const LABELS: Array<[keyof Results["rows"], string]> = [
  ["a", "(a) raw engine, single checks in-process"],
  ["b", "(b) HTTP ceiling: JSON echo behind Accord's middleware"],
  ["b0", "(b0) JSON echo on plain `node:http`, no middleware: the floor of any Node HTTP server here"],
  ["c", "(c) `POST /v1/check`, cache on (default), steady state¹"],
  ["cAll", "(c, all cached) `POST /v1/check`, the (c) run's requests again: every answer in the cache"],
  ["cCold", "(c, cold) `POST /v1/check`, cache on, empty at start"],
  ["cOff", "(c′) `POST /v1/check`, cache off (coalescing only)"],
  ["c0", "(c0) `POST /v1/check`, neither (the path before issue 8)"],
  ["d", "(d) `POST /v1/check/bulk`, 100 items, cache on, steady state² — checks/s"],
  ["dOff", "(d′) `POST /v1/check/bulk`, 100 items, cache off — checks/s"],
  ["e", "(e) `POST /v1/lookup/resources`"],
];

const cell = (row: Row | undefined) => {
  if (!row) return "—";
  const failures = row.non2xx + row.errors ? ` (${row.non2xx + row.errors} failed)` : "";
  return `${row.rps.toLocaleString("en-US")}/s · ${row.p50} / ${row.p99}${failures}`;
};
const ratio = (x: number, y: number) => (y > 0 ? (x / y).toFixed(2) : "—");

export function renderMarkdown(r: Results): string {
  const at = (key: keyof Results["rows"], c: number) => r.rows[key].find((row) => row.connections === c);
  const lines: string[] = [];
  lines.push(`# Accord bench results (${r.mode} run)`, "");
  lines.push(`- date: ${r.date}; total ${r.totalSeconds} s; ${r.secondsPerPoint} s per point, loopback, autocannon`);
  lines.push(`- machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGb} GB, Node ${r.machine.node}, Linux ${r.machine.kernel}`);
  lines.push(`- load average (1/5/15 min) before: ${r.machine.loadBefore.join(" / ")}, after: ${r.machine.loadAfter.join(" / ")} — the machine is shared`);
  if (r.machine.stolenPercent !== undefined) lines.push(`- CPU time stolen by the hypervisor during the run: ${r.machine.stolenPercent}% (figures shrink with it)`);
  lines.push(`- dataset: ${r.size}, ${r.relationships.toLocaleString("en-US")} relationships (largest relation: ${r.largestRelation ?? "?"}), seeded through ${r.seedMode === "product" ? "the product endpoints" : "POST /v1/relationships"} in ${r.seedSeconds} s`);
  lines.push(`- server: one process (embedded engine, five HTTP servers on it); load generator: another process; peak server RSS ${r.peakRssMb} MB`);
  lines.push("");
  lines.push(`## Side by side — throughput · p50 / p99 latency (ms)`, "");
  lines.push(`| | ${r.levels.map((c) => `c=${c}`).join(" | ")} |`);
  lines.push(`|---|${r.levels.map(() => "---").join("|")}|`);
  for (const [key, label] of LABELS) {
    if (r.rows[key].length === 0) continue;
    const name = key === "e" ? `${label} (${r.lookupResources} projects)` : label;
    lines.push(`| ${name} | ${r.levels.map((c) => cell(at(key, c))).join(" | ")} |`);
  }
  lines.push("");
  lines.push(
    `¹ Every run continues one random stream of checks (Pareto 80/20 over users and projects, 70% about a project the user holds a role on, 15% about resources). ${r.mode === "quick" ? `Quick run: the cache is primed once with the ${r.primedRequests.toLocaleString("en-US")} requests before the first run and kept across runs (no write comes between them); the bulk requests before the first (d) run are added to it once.` : `Steady state: the run starts with the cache holding the answers to the ${r.primedRequests.toLocaleString("en-US")} requests just before it in the stream — a server that has served them since the last write (any write empties the cache).`} Subject sets: a subject that missed on one resource type and permission has its whole answer set looked up once (LookupResources) and answered from it until the next write.`,
    "",
    `² Each bulk request asks about 100 resources for one user (Pareto choice; half in the user's projects). Steady state: the run starts with the cache holding what the ${r.primedBulk.toLocaleString("en-US")} bulk requests just before it left; cache off: every item computed by the engine.`,
  );
  lines.push("");
  lines.push(`## Ratios and server figures`, "");
  lines.push(`| | ${r.levels.map((c) => `c=${c}`).join(" | ")} |`);
  lines.push(`|---|${r.levels.map(() => "---").join("|")}|`);
  lines.push(`| c / b (check vs HTTP ceiling) | ${r.levels.map((c) => ratio(at("c", c)?.rps ?? 0, at("b", c)?.rps ?? 0)).join(" | ")} |`);
  lines.push(`| (c, all cached) / b | ${r.levels.map((c) => ratio(at("cAll", c)?.rps ?? 0, at("b", c)?.rps ?? 0)).join(" | ")} |`);
  lines.push(`| c′ / a (cache off vs raw engine) | ${r.levels.map((c) => ratio(at("cOff", c)?.rps ?? 0, at("a", c)?.rps ?? 0)).join(" | ")} |`);
  if (r.rows.c0.length) lines.push(`| c′ / c0 (coalescing vs none) | ${r.levels.map((c) => ratio(at("cOff", c)?.rps ?? 0, at("c0", c)?.rps ?? 0)).join(" | ")} |`);
  lines.push(`| event-loop delay p99 during (c), ms | ${r.levels.map((c) => at("c", c)?.eldP99 ?? "—").join(" | ")} |`);
  lines.push(`| event-loop delay p99 during (c, all cached), ms | ${r.levels.map((c) => at("cAll", c)?.eldP99 ?? "—").join(" | ")} |`);
  lines.push(`| event-loop delay p99 during (c′), ms | ${r.levels.map((c) => at("cOff", c)?.eldP99 ?? "—").join(" | ")} |`);
  const gcOf = (row: Row | undefined) => (row?.gc ? `${row.gc.pauses} / ${row.gc.totalMs} / ${row.gc.over10ms}` : "—");
  lines.push(`| GC pauses during (c): count / total ms / over 10 ms | ${r.levels.map((c) => gcOf(at("c", c))).join(" | ")} |`);
  const cpuOf = (row: Row | undefined) => (row?.cpu ? `${row.cpu.main} / ${row.cpu.other} / ${row.cpu.client}` : "—");
  lines.push(`| cores busy during (c): event loop / engine and other threads / load generator | ${r.levels.map((c) => cpuOf(at("c", c))).join(" | ")} |`);
  lines.push(`| cores busy during (c′) | ${r.levels.map((c) => cpuOf(at("cOff", c))).join(" | ")} |`);
  lines.push(`| cores busy during (b) echo | ${r.levels.map((c) => cpuOf(at("b", c))).join(" | ")} |`);
  lines.push(`| cache hit rate during (c) | ${r.hitRates.map((h) => `${(h * 100).toFixed(0)}%`).join(" | ")} |`);
  if (r.allHitRates?.length) lines.push(`| cache hit rate during (c, all cached) | ${r.allHitRates.map((h) => `${(h * 100).toFixed(1)}%`).join(" | ")} |`);
  lines.push(`| cache hit rate during (d), per item | ${r.bulkHitRates.map((h) => `${(h * 100).toFixed(0)}%`).join(" | ")} |`);
  lines.push(`| checks per engine call, cache on / off | ${r.batchSizes.map((b) => `${b.cacheOn} / ${b.cacheOff}`).join(" | ")} |`);
  lines.push("");
  const c64 = (key: keyof Results["rows"]) => at(key, 64);
  const bestBulk = Math.max(...r.rows.d.map((row) => row.rps));
  const targets: Array<[string, string, boolean | undefined]> = [
    ["`/v1/check` ≥ 0.9× the Express echo ceiling (c=64)", ratio(c64("c")?.rps ?? 0, c64("b")?.rps ?? 0), (c64("c")?.rps ?? 0) >= 0.9 * (c64("b")?.rps ?? Infinity)],
    [
      "`/v1/check` p99 < 5 ms (c=64)",
      `${c64("c")?.p99 ?? "—"} ms (all cached: ${c64("cAll")?.p99 ?? "—"} ms; plain node:http echo: ${c64("b0")?.p99 ?? "—"} ms)`,
      (c64("c")?.p99 ?? Infinity) < 5,
    ],
    ["event-loop delay p99 < 10 ms during (c) (c=64)", `${c64("c")?.eldP99 ?? "—"} ms`, (c64("c")?.eldP99 ?? Infinity) < 10],
    ["cache off ≥ 1.0× the raw single-check engine rate (c=64)", ratio(c64("cOff")?.rps ?? 0, c64("a")?.rps ?? 0), (c64("cOff")?.rps ?? 0) >= (c64("a")?.rps ?? Infinity)],
    ["`/v1/check/bulk` ≥ 15,000 checks/s (best level; c=64)", `${bestBulk.toLocaleString("en-US")}; ${c64("d")?.rps.toLocaleString("en-US") ?? "—"}`, bestBulk >= 15_000],
    remoteTarget(r),
  ];
  lines.push(`## Targets (issue 8; ${r.size} dataset)`, "");
  lines.push(`| target | measured | met |`, `|---|---|---|`);
  for (const [target, measured, met] of targets) lines.push(`| ${target} | ${measured} | ${met === undefined ? "—" : met ? "yes" : "no"} |`);
  lines.push("");
  if (r.remote) {
    const remote = r.remote;
    const at2 = (rows: Row[], c: number) => rows.find((row) => row.connections === c);
    lines.push(`## Remote mode — \`/v1/check\` vs the official client, one SpiceDB gRPC endpoint`, "");
    lines.push(
      `The endpoint: ${remote.engine}, in a process of its own. Accord: RemoteEngine with the default check path (checks are coalesced into CheckBulkPermissions). Direct: \`@authzed/authzed-node\` CheckPermission, at least as fresh as the last write.`,
      "",
    );
    lines.push(`| | ${r.levels.map((c) => `c=${c}`).join(" | ")} |`, `|---|${r.levels.map(() => "---").join("|")}|`);
    lines.push(`| Accord remote mode, \`POST /v1/check\` | ${r.levels.map((c) => cell(at2(remote.accord, c))).join(" | ")} |`);
    lines.push(`| authzed-node CheckPermission, direct | ${r.levels.map((c) => cell(at2(remote.direct, c))).join(" | ")} |`);
    lines.push(`| ratio | ${r.levels.map((c) => ratio(at2(remote.accord, c)?.rps ?? 0, at2(remote.direct, c)?.rps ?? 0)).join(" | ")} |`, "");
  }
  if (r.client) lines.push(...clientLines(r.client));
  if (r.mixed?.length) lines.push(...mixedLines(r.mixed));
  if (r.capacity.length) {
    lines.push(`## Capacity curve — single checks at c=1`, "");
    lines.push(`Cold: every check computed by the engine (cache off). Warm: every check answered from the cache. Restart: process start to listening, replay of the journal included.`, "");
    lines.push(`| dataset | relationships | largest relation | cold p50 / p99 ms | cold checks/s | warm p50 / p99 ms | restart (replay) ms | RSS loaded / peak / after restart MB |`);
    lines.push(`|---|---|---|---|---|---|---|---|`);
    for (const row of r.capacity) {
      lines.push(
        `| ${row.size} | ${row.relationships.toLocaleString("en-US")} | ${row.largestRelation} | ${row.coldP50} / ${row.coldP99} | ${row.coldRps} | ${row.warmP50} / ${row.warmP99} | ${row.restartMs} (${row.replayMs}) | ${row.rssMb} / ${row.peakRssMb} / ${row.rssAfterRestartMb} |`,
      );
    }
    lines.push("");
  }
  if (r.realCapacity?.length) lines.push(...realCapacityLines(r));
  return lines.join("\n");
}

/** realCapacityLines: the real engine's table, and where its cold checks overtake the embedded engine's. */
function realCapacityLines(r: Results): string[] {
  const lines = [`## Capacity on the real engine — SpiceDB on PostgreSQL, remote mode, c=1`, ""];
  lines.push(
    `Loaded through SpiceDB's bulk import API (ImportBulkRelationships) into a fresh datastore. Cold: each of 400 checks asked once (SpiceDB computes it). Warm: the same checks again for the run (SpiceDB's dispatch cache, Accord's cache). Lookup: the power user's LookupResources over projects.`,
    "",
  );
  lines.push(`| dataset | relationships | import s (rel/s) | cold p50 / p99 ms | warm p50 / p99 ms | lookup p50 / p99 ms | PostgreSQL MB | RSS SpiceDB / Accord MB |`);
  lines.push(`|---|---|---|---|---|---|---|---|`);
  for (const row of r.realCapacity!) {
    lines.push(
      `| ${row.size} | ${row.relationships.toLocaleString("en-US")} | ${row.importSeconds} (${row.importPerSecond.toLocaleString("en-US")}) | ${row.coldP50} / ${row.coldP99} | ${row.warmP50} / ${row.warmP99} | ${row.lookupP50} / ${row.lookupP99} (${row.lookupResources}) | ${row.datastoreMb} | ${row.spicedbRssMb} / ${row.accordRssMb} |`,
    );
  }
  lines.push("", `Crossover: ${crossover(r)}`, "");
  return lines;
}

/** crossover is the size above which the embedded engine's cold check p50 exceeds the real engine's (interpolated on relationships). */
export function crossover(r: Results): string {
  const embedded = [...r.capacity].sort((a, b) => a.relationships - b.relationships);
  const real = [...(r.realCapacity ?? [])].sort((a, b) => a.relationships - b.relationships);
  if (embedded.length < 2 || real.length === 0) return "not measured by this run (needs two embedded sizes and one real-engine size)";
  // The real engine's cold p50 barely moves with size: take the mean of its rows as its level.
  const level = real.reduce((sum, row) => sum + row.coldP50, 0) / real.length;
  for (let i = 1; i < embedded.length; i++) {
    const [a, b] = [embedded[i - 1]!, embedded[i]!];
    if (a.coldP50 <= level && b.coldP50 > level) {
      const at = a.relationships + ((level - a.coldP50) / (b.coldP50 - a.coldP50)) * (b.relationships - a.relationships);
      return `embedded cold checks get slower than the real engine's (${round2(level)} ms p50) above about ${Math.round(at / 1000)}k relationships`;
    }
  }
  const first = embedded[0]!;
  if (first.coldP50 > level) return `the real engine's cold checks (${round2(level)} ms p50) are faster than embedded already at ${first.relationships.toLocaleString("en-US")} relationships`;
  return `embedded cold checks stay faster than the real engine's (${round2(level)} ms p50) up to ${embedded.at(-1)!.relationships.toLocaleString("en-US")} relationships, the largest embedded size measured`;
}

const round2 = (n: number) => Number(n.toFixed(2));

/** mixedLines: checks while admins write, per mode, with the issue-17 targets. */
function mixedLines(phases: MixedPhase[]): string[] {
  const lines = [`## Checks while admins write — mixed phase, team dataset, c=64`, ""];
  lines.push(
    "64 connections of the skewed check mix on `/v1/check` (default consistency) while a writer sends resource shares (a viewer grant or its removal) or group-membership changes through `POST /v1/relationships` at a steady rate. Each run replays the same stream from its start; when the phase starts, the cache holds the answers to the stream's first requests (20,000 in a full run, primed the same way in both modes; none in a quick run), and warm passes of the stream follow until one answers ≥ 97% from the cache (at most four, three quick). The run without writes comes first and again last; ratios are taken against the mean of the two. Dropped: answers (single checks) each change dropped. Watch lag: from this replica's write being acknowledged to its watch checkpoint passing it; proven: the share of this replica's writes proven exact from PostgreSQL's tokens at once (only its own writes since the watch's checkpoint), so checks at their token were served without waiting for the watch.",
    "",
  );
  /** The named processes of a run's cores (remote: SpiceDB, PostgreSQL), as " / a / b". */
  const named = (run: MixedRun) => Object.keys(run.cores?.processes ?? {}).map((name) => ` / ${name}`).join("");
  for (const phase of phases) {
    // The no-write rate: the mean of the first and the last run (both without writes); older results had only the first.
    const base = phase.baseRps ?? phase.runs[0]?.rps ?? 0;
    lines.push(`### ${phase.mode} — ${phase.engine}`, "");
    lines.push(`| run | checks/s | × no writes | p50 / p99 ms | p99 / echo p99 | hit rate | dropped per change p50 / p99 | watch lag p50 / p99 ms (proven) | writes made/s (asked) | write p50 / p99 ms | errors | entries / sets |`);
    lines.push(`|---|---|---|---|---|---|---|---|---|---|---|---|`);
    for (const run of phase.runs) {
      lines.push(
        `| ${run.label} | ${run.rps.toLocaleString("en-US")} | ${ratio(run.rps, base)} | ${run.p50} / ${run.p99} | ${ratio(run.p99, phase.echoP99)} | ${(run.hitRate * 100).toFixed(1)}% | ${run.writesAsked ? `${run.droppedP50} / ${run.droppedP99}` : "—"} | ${run.watchLagP50 !== undefined ? `${run.watchLagP50} / ${run.watchLagP99}${run.provenShare !== undefined ? ` (${(run.provenShare * 100).toFixed(0)}%)` : ""}` : "—"} | ${run.writesMade} (${run.writesAsked}) | ${run.writesAsked ? `${run.writeP50} / ${run.writeP99}` : "—"} | ${run.errors + run.writeErrors} | ${run.entries} / ${run.sets} |`,
      );
    }
    lines.push("", `Plain \`node:http\` echo p99 at c=64 in the same phase: ${phase.echoP99} ms.`, "");
    const withCores = phase.runs.filter((run) => run.cores);
    if (withCores.length) {
      lines.push(
        `Cores busy (of ${cpus().length}) per run — the server's event loop / its other threads (the embedded engine) / the load generator${named(withCores[0]!)} / everything else on the machine: ${withCores.map((run) => `${run.label} ${run.cores!.loop} / ${run.cores!.serverThreads} / ${run.cores!.loadGenerator}${Object.values(run.cores!.processes ?? {}).map((cores) => ` / ${cores}`).join("")} / ${run.cores!.rest}`).join("; ")}.`,
        "",
        `Checks sent to the engine per second (misses) per run: ${phase.runs.map((run) => `${run.label} ${run.missesPerSecond ?? "—"}`).join("; ")}; subject-set lookups per second: ${phase.runs.map((run) => `${run.label} ${run.lookupsPerSecond}`).join("; ")}.`,
        "",
      );
    }
    const byLabel = (label: string) => phase.runs.find((run) => run.label === label);
    const held = (label: string, wanted: number) => {
      const run = byLabel(label);
      return run ? `${ratio(run.rps, base)} (target ≥ ${wanted}×: ${run.rps >= wanted * base ? "met" : "not met"})` : "—";
    };
    const writesOk = phase.runs.every((run) => run.writesAsked === 0 || run.writesMade >= 0.95 * run.writesAsked);
    const errors = phase.runs.reduce((sum, run) => sum + run.errors + run.writeErrors, 0);
    lines.push(
      `Targets: 10 shares/s ${held("10 shares/s", 0.9)}; 50 shares/s ${held("50 shares/s", 0.8)}; ${errors} errors; ≥ 95% of asked writes made: ${writesOk ? "yes" : "no"}; p99 ≤ 1.5× echo p99 at no writes: ${phase.runs[0] && phase.runs[0].p99 <= 1.5 * phase.echoP99 ? "met" : "not met"}${phase.mode === "remote" ? `; no-write rate ≥ 8,000/s: ${base >= 8_000 ? "met" : "not met"}` : ""}.`,
      "",
    );
  }
  return lines;
}

function remoteTarget(r: Results): [string, string, boolean | undefined] {
  const name = "remote mode `/v1/check` ≥ 0.8× direct authzed-node (c=64)";
  const accord = r.remote?.accord.find((row) => row.connections === 64);
  const direct = r.remote?.direct.find((row) => row.connections === 64);
  if (!accord || !direct) return [name, "not measured by this run", undefined];
  return [name, ratio(accord.rps, direct.rps), accord.rps >= 0.8 * direct.rps];
}

/** figureLines: what the test suites measured and recorded in bench/figures/ (faults, replicas, the cache model). */
export function figureLines(figures: Array<{ name: string; text: string; mode: string; date: string }>): string[] {
  if (figures.length === 0) return [];
  const lines = ["## Measured by the test suites", "", "Recorded by the suites themselves when they last ran (`npm test`, `npm run test:remote`, `npm run test:spicedb`), in `bench/figures/`.", ""];
  lines.push("| figure | mode | date | measured |", "|---|---|---|---|");
  for (const f of [...figures].sort((a, b) => a.name.localeCompare(b.name))) lines.push(`| ${f.name} | ${f.mode} | ${f.date.slice(0, 10)} | ${f.text.replace(/\|/g, "\\|")} |`);
  lines.push("");
  return lines;
}

/** clientLines: a service's checks through @accord/client vs raw fetch (issue 20). */
function clientLines(c: ClientLoadResult): string[] {
  const lines = [`## A service's checks — @accord/client vs raw fetch, ${c.callers} concurrent callers`, ""];
  lines.push(
    "The bench process plays the service: each caller asks one `POST /v1/check` question after another, either with `fetch` or with the client's `check()`, whose batcher sends the checks of one event-loop turn as one `POST /v1/check/bulk`. Same check stream and server (embedded, cache on).",
    "",
  );
  lines.push(`| | checks/s | p50 / p99 ms per check | HTTP requests/s | checks per request | errors |`, `|---|---|---|---|---|---|`);
  for (const row of [c.raw, c.client]) lines.push(`| ${row.label} | ${row.rps.toLocaleString("en-US")} | ${row.p50} / ${row.p99} | ${row.requestsPerSecond.toLocaleString("en-US")} | ${row.checksPerRequest} | ${row.errors} |`);
  lines.push("", `Ratio, client ÷ raw fetch: **${c.ratio}×**.`, "");
  return lines;
}
