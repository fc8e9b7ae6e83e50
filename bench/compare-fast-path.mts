// compare-fast-path: one side of a paired measurement of the fast check path (POST /v1/check with
// every answer cached) between two checkouts, e.g. before and after a restructuring. Run it
// alternately from each tree, several rounds:
//   (cd <tree> && npx tsx <this tree>/bench/compare-fast-path.mts <tree> 8)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const tree = process.argv[2]!;
const seconds = Number(process.argv[3] ?? 8);
const { BenchServer } = await import(join(tree, "bench/lib/server-control.ts"));
const { httpLoad } = await import(join(tree, "bench/lib/http-load.ts"));
const { generate } = await import(join(tree, "bench/lib/dataset.ts"));
const { buildPools } = await import(join(tree, "bench/lib/pools.ts"));
const { seed } = await import(join(tree, "bench/lib/seed.ts"));
const KEY = "bench-key-0123456789abcdef";
const dataDir = mkdtempSync(join(tmpdir(), "fastpath-"));
const server = await BenchServer.start({ schemaFile: join(tree, "schema.zed"), dataDir, key: KEY }, {});
const dataset = generate("team");
await seed({ url: server.url("accord"), key: KEY }, dataset, "raw");
const bodies = buildPools(dataset).checks.slice(0, 300);
for (const body of bodies) await fetch(server.url("accord") + "/v1/check", { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body });
await httpLoad({ url: server.url("accord"), path: "/v1/check", key: KEY, bodies, connections: 64, seconds: 2, start: 0 });
const r = await httpLoad({ url: server.url("accord"), path: "/v1/check", key: KEY, bodies, connections: 64, seconds, start: 0 });
const echo = await httpLoad({ url: server.url("bare"), path: "/echo", key: KEY, bodies: ['{"a":1}'], connections: 64, seconds: Math.min(4, seconds), start: 0 }).catch(() => ({ rps: 0, p99: 0 }));
console.log(JSON.stringify({ tree, rps: Math.round(r.rps), p50: r.p50, p99: r.p99, non2xx: r.non2xx, bareEchoRps: Math.round(echo.rps) }));
await server.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
