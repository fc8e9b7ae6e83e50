// cluster: the scale-out topology on one machine, without Docker — a private PostgreSQL for
// SpiceDB (track_commit_timestamp=on), SpiceDB migrated onto it, N SpiceDB nodes on that
// datastore, and M Accord replicas in remote mode with their app state in a second private
// PostgreSQL, each replica given every SpiceDB node. SpiceDB's cluster is its own: transaction
// ids are a cluster's, and a replica proves its own writes exact at once only when no other
// writer (Accord's audit log among them) takes ids in SpiceDB's cluster (docs/check-cache.md).
// `npm run cluster` and the real-engine tests use it.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { startAccordReplica, type AccordReplica } from "./accord-replica.js";
import { startPrivatePostgres, type PrivatePostgres, type PrivatePostgresOptions } from "./private-postgres.js";
import { migrateDatastore, spicedbBinary, startSpiceDbNode, type SpiceDbNode } from "./spicedb-node.js";

/** The databases: SpiceDB's datastore (in its cluster) and Accord's app state (in the other). */
export const DATASTORE_DATABASE = "spicedb";
export const APP_STATE_DATABASE = "accord";

export interface ClusterOptions {
  spicedbNodes?: number;
  replicas?: number;
  /** Both PostgreSQL clusters' options; a `dir` holds them in its `spicedb` and `accord` folders. */
  postgres?: PrivatePostgresOptions;
  /** SpiceDB's preshared key and Accord's admin key (random when left out). */
  spicedbKey?: string;
  adminKey?: string;
  /** More API keys for every replica, beside the admin key (tests add manage and check keys). */
  apiKeys?: Array<{ name: string; key: string; scopes: string[] }>;
  /** More environment for every replica. */
  replicaEnv?: Record<string, string>;
  /** Say what is happening (npm run cluster prints it). */
  log?: (line: string) => void;
}

export interface Cluster {
  /** SpiceDB's PostgreSQL (its datastore). */
  postgres: PrivatePostgres;
  /** Accord's PostgreSQL (the replicas' app state). */
  appPostgres: PrivatePostgres;
  nodes: SpiceDbNode[];
  replicas: AccordReplica[];
  spicedbKey: string;
  adminKey: string;
  /** Every node, comma-separated: what a replica is given as SPICEDB_ENDPOINT. */
  spicedbEndpoints: string;
  datastoreUrl: string;
  databaseUrl: string;
  binary: string;
  /** addReplica starts one more Accord replica on the same engine and database. */
  addReplica(env?: Record<string, string>): Promise<AccordReplica>;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const binary = spicedbBinary();
  const spicedbKey = options.spicedbKey ?? `spicedb-${randomBytes(16).toString("hex")}`;
  const adminKey = options.adminKey ?? `accord-admin-${randomBytes(16).toString("hex")}`;
  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
  };
  try {
    const dir = options.postgres?.dir;
    const postgres = await startPrivatePostgres({ ...options.postgres, dir: dir === undefined ? undefined : join(dir, "spicedb") });
    started.push({ stop: () => postgres.close() });
    log(`PostgreSQL for SpiceDB ${postgres.url("")} (data in ${postgres.dir}, track_commit_timestamp=${options.postgres?.trackCommitTimestamp === false ? "off" : "on"})`);
    const appPostgres = await startPrivatePostgres({ ...options.postgres, dir: dir === undefined ? undefined : join(dir, "accord"), trackCommitTimestamp: false });
    started.push({ stop: () => appPostgres.close() });
    log(`PostgreSQL for Accord's app state ${appPostgres.url("")} (data in ${appPostgres.dir})`);
    await postgres.createDatabase(DATASTORE_DATABASE);
    await appPostgres.createDatabase(APP_STATE_DATABASE);
    const datastoreUrl = `${postgres.url(DATASTORE_DATABASE)}?sslmode=disable`;
    migrateDatastore(binary, datastoreUrl);
    log(`SpiceDB datastore migrated (${binary})`);

    const nodes: SpiceDbNode[] = [];
    for (let i = 0; i < (options.spicedbNodes ?? 2); i++) {
      const node = await startSpiceDbNode({ binary, datastoreUri: datastoreUrl, presharedKey: spicedbKey });
      nodes.push(node);
      started.push({ stop: () => node.kill("SIGTERM") });
      log(`SpiceDB node ${i + 1} grpc://${node.endpoint}`);
    }
    const spicedbEndpoints = nodes.map((n) => n.endpoint).join(",");
    const databaseUrl = appPostgres.url(APP_STATE_DATABASE);
    const replicas: AccordReplica[] = [];
    const addReplica = async (env: Record<string, string> = {}) => {
      const replica = await startAccordReplica({
        spicedbEndpoint: spicedbEndpoints,
        spicedbToken: spicedbKey,
        databaseUrl,
        apiKeys: [{ name: "admin", key: adminKey, scopes: ["admin"] }, ...(options.apiKeys ?? [])],
        env: { ...options.replicaEnv, ...env },
      });
      replicas.push(replica);
      started.push({ stop: () => replica.kill("SIGTERM") });
      log(`Accord replica ${replicas.length} ${replica.url}`);
      return replica;
    };
    for (let i = 0; i < (options.replicas ?? 2); i++) await addReplica();
    return { postgres, appPostgres, nodes, replicas, spicedbKey, adminKey, spicedbEndpoints, datastoreUrl, databaseUrl, binary, addReplica, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
