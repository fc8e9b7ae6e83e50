// foundation bench: HTTP check latency at concurrency 1 and 32 with the event-loop delay of
// the server thread, and start/restart times (empty and with N relationships).
// Usage: npx tsx bench/foundation.ts [--relationships 100000] [--seconds 5]
import autocannon from "autocannon";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const RELATIONSHIPS = Number(args.get("relationships") ?? 100_000);
const SECONDS = Number(args.get("seconds") ?? 5);
const KEY = "bench-key-0123456789abcdef";
const schema = readFileSync(join(import.meta.dirname, "..", "schema.zed"), "utf8");

interface Started {
  worker: Worker;
  port: number;
  openMs: number;
  stats: { replayedRelationships: number; replayMs: number };
  wallMs: number;
}

function startWorker(dataDir: string): Promise<Started> {
  const t0 = performance.now();
  const worker = new Worker(new URL("./lib/server-worker.mjs", import.meta.url), { workerData: { schema, dataDir, key: KEY } });
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (m) => {
      if (m.type === "ready") resolve({ worker, port: m.port, openMs: m.openMs, stats: m.stats, wallMs: performance.now() - t0 });
    });
  });
}

function ask<T>(worker: Worker, type: string, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type === reply) {
        worker.off("message", on);
        resolve(m as T);
      }
    };
    worker.on("message", on);
    worker.postMessage({ type });
  });
}

async function stop(worker: Worker) {
  await ask(worker, "close", "closed");
  await worker.terminate();
}

async function seed(port: number, count: number) {
  const users = 1000;
  for (let offset = 0; offset < count; offset += 1000) {
    const updates = [];
    for (let i = offset; i < Math.min(count, offset + 1000); i++) {
      updates.push({ operation: "touch", relationship: `project:p${i % 5000}#viewer@user:u${Math.floor(i / 5000) * 37 + (i % users)}` });
    }
    const res = await fetch(`http://127.0.0.1:${port}/v1/relationships`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: JSON.stringify({ updates }) });
    if (res.status !== 200) throw new Error(`seed failed: ${res.status} ${await res.text()}`);
  }
}

async function load(port: number, connections: number, worker: Worker) {
  const requests = Array.from({ length: 200 }, (_, i) => ({
    method: "POST" as const,
    path: "/v1/check",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ resource: `project:p${(i * 7) % 5000}`, permission: "view", subject: `user:u${i % 1000}` }),
  }));
  worker.postMessage({ type: "eld-start" });
  const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections, duration: SECONDS, requests });
  const eld = await ask<{ p50: number; p99: number; max: number }>(worker, "eld-stop", "eld");
  return { connections, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, eldP99: Number(eld.p99.toFixed(2)) };
}

const emptyDir = mkdtempSync(join(tmpdir(), "accord-bench-"));
const first = await startWorker(emptyDir);
console.log(`first start (empty): ${first.wallMs.toFixed(0)} ms (engine open ${first.openMs.toFixed(0)} ms)`);
const t0 = performance.now();
await seed(first.port, RELATIONSHIPS);
console.log(`seeded ${RELATIONSHIPS} relationships through POST /v1/relationships in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const rows = [];
for (const c of [1, 32]) rows.push(await load(first.port, c, first.worker));
console.table(rows);
await stop(first.worker);
const rssBefore = process.memoryUsage().rss;
const second = await startWorker(emptyDir);
console.log(`restart with ${second.stats.replayedRelationships} relationships: ${second.wallMs.toFixed(0)} ms (replay ${second.stats.replayMs} ms); process RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB (before restart ${(rssBefore / 1e6).toFixed(0)} MB)`);
await stop(second.worker);
const emptyAgain = mkdtempSync(join(tmpdir(), "accord-bench-"));
const third = await startWorker(emptyAgain);
console.log(`restart (empty data dir): ${third.wallMs.toFixed(0)} ms`);
await stop(third.worker);
rmSync(emptyDir, { recursive: true, force: true });
rmSync(emptyAgain, { recursive: true, force: true });
