// cluster: the scale-out topology on one machine, without Docker — a private PostgreSQL
// (track_commit_timestamp=on), SpiceDB migrated onto it, N SpiceDB nodes on that datastore,
// and M Accord replicas in remote mode with their app state in the same PostgreSQL, each
// replica given every SpiceDB node. `npm run cluster` and the real-engine tests use it.
import { randomBytes } from "node:crypto";
import { startAccordReplica, type AccordReplica } from "./accord-replica.js";
import { startPrivatePostgres, type PrivatePostgres, type PrivatePostgresOptions } from "./private-postgres.js";
import { migrateDatastore, spicedbBinary, startSpiceDbNode, type SpiceDbNode } from "./spicedb-node.js";

/** The databases of the cluster's PostgreSQL: SpiceDB's datastore and Accord's app state. */
export const DATASTORE_DATABASE = "spicedb";
export const APP_STATE_DATABASE = "accord";

export interface ClusterOptions {
  spicedbNodes?: number;
  replicas?: number;
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
  postgres: PrivatePostgres;
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
    const postgres = await startPrivatePostgres(options.postgres);
    started.push({ stop: () => postgres.close() });
    log(`PostgreSQL ${postgres.url("")} (data in ${postgres.dir}, track_commit_timestamp=${options.postgres?.trackCommitTimestamp === false ? "off" : "on"})`);
    await postgres.createDatabase(DATASTORE_DATABASE);
    await postgres.createDatabase(APP_STATE_DATABASE);
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
    const databaseUrl = postgres.url(APP_STATE_DATABASE);
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
    return { postgres, nodes, replicas, spicedbKey, adminKey, spicedbEndpoints, datastoreUrl, databaseUrl, binary, addReplica, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
