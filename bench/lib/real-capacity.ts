// real-capacity measures the real engine as data grows (remote mode on SpiceDB + PostgreSQL):
// for each size, a fresh datastore is loaded through SpiceDB's bulk import API, then Accord in
// remote mode (its own process) answers single checks at c=1 — cold (checks never asked
// before: SpiceDB computes them) and warm (the same checks again: SpiceDB's dispatch cache and
// Accord's cache) — and the power user's LookupResources; with the datastore's size on disk
// and the RSS of SpiceDB and of Accord.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import { startPrivatePostgres } from "../../tools/cluster/private-postgres.js";
import { generate, relationshipsOf, type SizeName } from "./dataset.js";
import { httpLoad } from "./http-load.js";
import { buildPools } from "./pools.js";
import { bulkImport, startRealSpiceDb } from "./real-spicedb.js";
import { BenchServer } from "./server-control.js";

export interface RealCapacityRow {
  size: string;
  relationships: number;
  importSeconds: number;
  importPerSecond: number;
  coldP50: number;
  coldP99: number;
  warmP50: number;
  warmP99: number;
  lookupP50: number;
  lookupP99: number;
  lookupResources: number;
  datastoreMb: number;
  spicedbRssMb: number;
  accordRssMb: number;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const COLD_CHECKS = 400;

export async function realCapacity(options: { sizes: SizeName[]; schema: string; schemaFile: string; key: string; seconds: number; log: (line: string) => void }): Promise<RealCapacityRow[]> {
  const rows: RealCapacityRow[] = [];
  const postgres = await startPrivatePostgres();
  try {
    for (const size of options.sizes) {
      const token = "bench-spicedb-preshared-key-0123456789";
      const engine = await startRealSpiceDb(token, postgres, `capacity_${size}`);
      const dataDir = mkdtempSync(join(tmpdir(), "accord-bench-"));
      let server: BenchServer | undefined;
      try {
        const dataset = generate(size);
        const relationships = [...new Set(dataset.byOrg.flat().flatMap(relationshipsOf))];
        await writeSchema(engine.endpoint, token, options.schema);
        const imported = await bulkImport(engine.endpoint, token, relationships);
        options.log(`real engine ${size}: imported ${imported.loaded} relationships in ${imported.seconds.toFixed(1)} s`);
        server = await BenchServer.start({ schemaFile: options.schemaFile, dataDir, key: options.key, remote: { endpoint: engine.endpoint, token } });
        const pools = buildPools(dataset);
        const url = server.url("remote");
        // Cold: each check once, never asked before; warm: the same checks again, for a while.
        const coldBodies = pools.checks.slice(0, COLD_CHECKS);
        const cold = await timeEach(coldBodies, (body) => post(url, "/v1/check", body, options.key));
        const warm = await httpLoad({ url, path: "/v1/check", key: options.key, bodies: coldBodies, connections: 1, seconds: options.seconds, start: 0 });
        const lookups = await timeEach(Array.from({ length: 20 }, () => pools.lookup[0]!), (body) => post(url, "/v1/lookup/resources", body, options.key));
        const found = ((await (await post(url, "/v1/lookup/resources", pools.lookup[0]!, options.key)).json()) as { resources: unknown[] }).resources.length;
        const memory = await server.ask<{ rssMb: number }>({ type: "memory" });
        const row: RealCapacityRow = {
          size,
          relationships: imported.loaded,
          importSeconds: round(imported.seconds, 1),
          importPerSecond: round(imported.loaded / imported.seconds, 0),
          coldP50: round(cold.p50),
          coldP99: round(cold.p99),
          warmP50: round(warm.p50),
          warmP99: round(warm.p99),
          lookupP50: round(lookups.p50),
          lookupP99: round(lookups.p99),
          lookupResources: found,
          datastoreMb: await engine.datastoreSizeMb(),
          spicedbRssMb: engine.rssMb(),
          accordRssMb: memory.rssMb,
        };
        rows.push(row);
        options.log(
          `real engine ${size}: check cold p50 ${row.coldP50} p99 ${row.coldP99} ms · warm p50 ${row.warmP50} p99 ${row.warmP99} ms · lookup p50 ${row.lookupP50} ms (${found} projects) · PostgreSQL ${row.datastoreMb} MB · RSS SpiceDB ${row.spicedbRssMb} MB, Accord ${row.accordRssMb} MB`,
        );
      } catch (err) {
        // One size failing (an import past its deadline, say) keeps the rows measured before it.
        options.log(`real engine ${size}: failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        await server?.close();
        await engine.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await postgres.close();
  }
  return rows;
}

function post(url: string, path: string, body: string, key: string): Promise<Response> {
  return fetch(url + path, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
}

/** timeEach sends each body once, one after another, and returns the latency percentiles. */
async function timeEach(bodies: string[], send: (body: string) => Promise<Response>): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  for (const body of bodies) {
    const t = performance.now();
    const res = await send(body);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`real capacity: ${res.status}`);
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { p50: at(50), p99: at(99) };
}

async function writeSchema(endpoint: string, token: string, schema: string): Promise<void> {
  const client = v1.NewClient(token, endpoint, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
  try {
    await client.promises.writeSchema({ schema });
  } finally {
    client.close();
  }
}
