// real-engine stands up what `npm run test:spicedb` runs on: a real SpiceDB node (the pinned
// binary) on a PostgreSQL database of its own, in the private cluster the global setup
// started, plus a fresh schema there for Accord's app state. The same shape as
// remote-backends, so suites build RemoteEngine / PostgresStore / replicas the same way.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { RemoteEngine, type RemoteEngineOptions } from "../../src/engine/remote/remote-engine.js";
import { PostgresStore } from "../../src/store/postgres-store.js";
import { migrateDatastore, startSpiceDbNode, type SpiceDbNode } from "../../tools/cluster/spicedb-node.js";
import { startPrivatePostgres, type PrivatePostgres } from "../../tools/cluster/private-postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    realEngine: { binary: string; postgresPort: number; postgresDir: string };
  }
}

export const TEMPLATE_DATABASE = "spicedb_template";
export const SCHEMA = readFileSync(join(import.meta.dirname, "..", "..", "schema.zed"), "utf8");
export const SPICEDB_KEY = "test-spicedb-preshared-key-0123456789";

/** postgresUrl names a database of the run's private PostgreSQL. */
export function postgresUrl(database: string): string {
  return `postgres://postgres@127.0.0.1:${inject("realEngine").postgresPort}/${database}`;
}

export async function adminQuery(sql: string, database = "postgres"): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: postgresUrl(database) });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface RealEngineBackends {
  /** Every node, comma-separated (what SPICEDB_ENDPOINT is given). */
  endpoint: string;
  nodes: SpiceDbNode[];
  datastoreUrl: string;
  /** The app-state database URL and the schema this run owns in it. */
  databaseUrl: string;
  schema: string;
  remoteEngine(options?: Partial<RemoteEngineOptions>): Promise<RemoteEngine>;
  postgresStore(): Promise<PostgresStore>;
  close(): Promise<void>;
}

/**
 * startRealEngine starts `nodes` SpiceDB nodes on a fresh datastore copied from the migrated
 * template; with `ownPostgres`, on a PostgreSQL cluster of its own instead (a few seconds more),
 * where no other test file's transactions take transaction ids.
 */
export async function startRealEngine(options: { nodes?: number; ownPostgres?: boolean } = {}): Promise<RealEngineBackends> {
  const { binary } = inject("realEngine");
  const database = `sdb_${process.pid}_${randomBytes(4).toString("hex")}`;
  let own: PrivatePostgres | undefined;
  if (options.ownPostgres) {
    own = await startPrivatePostgres({ fsync: false });
    await own.createDatabase(database);
    migrateDatastore(binary, `${own.url(database)}?sslmode=disable`);
  } else {
    await adminQuery(`CREATE DATABASE ${database} TEMPLATE ${TEMPLATE_DATABASE}`);
  }
  const datastoreUrl = `${own ? own.url(database) : postgresUrl(database)}?sslmode=disable`;
  const nodes: SpiceDbNode[] = [];
  const opened: Array<{ close(): Promise<void> }> = [];
  const schema = `accord_${process.pid}_${randomBytes(4).toString("hex")}`;
  const close = async () => {
    for (const o of opened) await o.close().catch(() => undefined);
    for (const node of nodes) await node.kill("SIGKILL").catch(() => undefined);
    if (own) await own.close();
    else await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  };
  try {
    for (let i = 0; i < (options.nodes ?? 1); i++) {
      // A small pool per node: many nodes share one test PostgreSQL.
      nodes.push(await startSpiceDbNode({ binary, datastoreUri: datastoreUrl, presharedKey: SPICEDB_KEY, extraArgs: ["--datastore-conn-pool-read-max-open=8", "--datastore-conn-pool-write-max-open=4"] }));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const endpoint = nodes.map((n) => n.endpoint).join(",");
  return {
    endpoint,
    nodes,
    datastoreUrl,
    databaseUrl: postgresUrl("postgres"),
    schema,
    async remoteEngine(overrides = {}) {
      const engine = await RemoteEngine.connect({ endpoint, token: SPICEDB_KEY, insecure: true, schema: SCHEMA, ...overrides });
      opened.push(engine);
      return engine;
    },
    async postgresStore() {
      const store = await PostgresStore.open({ connectionString: postgresUrl("postgres"), schema, max: 4 });
      opened.push(store);
      return store;
    },
    close,
  };
}
