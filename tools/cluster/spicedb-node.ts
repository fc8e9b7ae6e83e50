// spicedb-node runs real SpiceDB processes from the binary tools/spicedb/build.sh makes: the
// datastore migration and `serve` nodes on PostgreSQL. Every invocation carries
// --skip-release-check (and serve --telemetry-endpoint=): without them SpiceDB looks up
// outside hosts at start. Nodes listen on loopback only, with a preshared key.
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import { freePort, restartable, type Restartable } from "./processes.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** SPICEDB_OFFLINE_FLAGS keep SpiceDB from contacting anything outside loopback. */
export const SPICEDB_OFFLINE_FLAGS = { migrate: ["--skip-release-check"], serve: ["--skip-release-check", "--telemetry-endpoint="] } as const;

/** spicedbBinary builds (once) or finds the pinned SpiceDB binary and returns its path. */
export function spicedbBinary(): string {
  try {
    return execFileSync(join(ROOT, "tools", "spicedb", "build.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  } catch (err) {
    throw new Error(`the SpiceDB binary could not be built or found (tools/spicedb/build.sh): ${(err as Error).message}`);
  }
}

/** spicedbVersion is the version tools/spicedb/go.mod pins, read without building anything. */
export function pinnedSpicedbVersion(goMod: string): string {
  const match = /^\s*github\.com\/authzed\/spicedb (v\S+)/m.exec(goMod);
  if (!match) throw new Error("tools/spicedb/go.mod does not require github.com/authzed/spicedb");
  return match[1]!;
}

/** migrateDatastore runs `spicedb datastore migrate head` on a PostgreSQL database. */
export function migrateDatastore(binary: string, datastoreUri: string): void {
  execFileSync(binary, ["datastore", "migrate", "head", ...SPICEDB_OFFLINE_FLAGS.migrate, "--datastore-engine", "postgres", "--datastore-conn-uri", datastoreUri], {
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export interface SpiceDbNodeOptions {
  binary: string;
  datastoreUri: string;
  presharedKey: string;
  port?: number;
  /** Extra `serve` flags (e.g. a smaller connection pool for many nodes on one machine). */
  extraArgs?: string[];
}

export interface SpiceDbNode extends Restartable {
  /** 127.0.0.1:<port>, the gRPC endpoint. */
  endpoint: string;
  port: number;
}

/**
 * SPICEDB_SERVE_FLAGS are the behaviour flags of every node, beside its address, key and
 * datastore: offline, gRPC only, nodes that each answer on their own (no dispatch cluster on
 * one machine). docker-compose.yml's nodes carry the same (a test compares them).
 * --watch-api-heartbeat=100ms: on PostgreSQL the Watch API polls for new transactions once per
 * heartbeat (1 s by default), so every replica's check cache would see changes up to a second
 * late; at 100 ms (the datastore's minimum) it sees them within ~0.1 s, for one small query per
 * watcher every 100 ms.
 */
export const SPICEDB_SERVE_FLAGS = [...SPICEDB_OFFLINE_FLAGS.serve, "--http-enabled=false", "--metrics-enabled=false", "--dispatch-cluster-enabled=false", "--watch-api-heartbeat=100ms"] as const;

/** serveArgs are the `spicedb serve` arguments of one node. */
export function serveArgs(options: { datastoreUri: string; presharedKey: string; port: number }): string[] {
  return [
    "serve",
    ...SPICEDB_SERVE_FLAGS,
    "--grpc-preshared-key", options.presharedKey,
    "--grpc-addr", `127.0.0.1:${options.port}`,
    "--datastore-engine", "postgres",
    "--datastore-conn-uri", options.datastoreUri,
    "--log-level", "warn",
  ];
}

export async function startSpiceDbNode(options: SpiceDbNodeOptions): Promise<SpiceDbNode> {
  const port = options.port ?? (await freePort());
  const endpoint = `127.0.0.1:${port}`;
  const launch = () => spawn(options.binary, [...serveArgs({ ...options, port }), ...(options.extraArgs ?? [])], { stdio: ["ignore", "pipe", "pipe"] });
  const ready = async () => {
    const client = v1.NewClient(options.presharedKey, endpoint, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    try {
      return await answers(client);
    } finally {
      client.close();
    }
  };
  // A node killed without a word (SIGKILL) is what the fault tests need by default.
  return { endpoint, port, ...(await restartable(`SpiceDB on ${endpoint}`, launch, ready, "SIGKILL")) };
}

/** answers is true once SpiceDB answers a call at all (a missing schema is an answer too). */
function answers(client: v1.ZedClientInterface): Promise<boolean> {
  return new Promise((resolve) => {
    client.readSchema({}, (err) => resolve(!err || (err.code !== 14 && err.code !== 4))); // 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED
  });
}
