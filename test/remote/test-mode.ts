// test-mode picks the engine and store the shared test server runs on:
// - embedded (default): the embedded engine and SQLite;
// - remote (npm run test:remote): a RemoteEngine speaking gRPC to an embedded engine's SpiceDB
//   endpoint, and a PostgresStore on a fresh schema;
// - spicedb (npm run test:spicedb): a RemoteEngine on a real SpiceDB node (the pinned binary)
//   on a PostgreSQL datastore of its own, and a PostgresStore in the same private PostgreSQL.
// So every HTTP suite also runs in scale-out mode, and on the real engine.
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import type { RemoteEngine } from "../../src/engine/remote/remote-engine.js";
import type { PostgresStore } from "../../src/store/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { WalFlush } from "../../src/store/wal-flush.js";
import { postgresAvailable, SKIP_MESSAGE } from "../store/postgres-test-database.js";
import { SCHEMA, startRemoteBackends } from "./remote-backends.js";

export type TestEngineMode = "embedded" | "remote" | "spicedb";
export const TEST_MODE: TestEngineMode = process.env.ACCORD_TEST_MODE === "spicedb" ? "spicedb" : process.env.ACCORD_TEST_MODE === "remote" ? "remote" : "embedded";
/** REMOTE_MODE: the test server's engine is a RemoteEngine (over gRPC), whichever SpiceDB answers it. */
export const REMOTE_MODE = TEST_MODE !== "embedded";
/** REAL_SPICEDB: the engine is a real SpiceDB server (npm run test:spicedb). */
export const REAL_SPICEDB = TEST_MODE === "spicedb";

export interface TestBackends {
  engine: EmbeddedEngine | RemoteEngine;
  store: SqliteStore | PostgresStore;
  closeBackends(): Promise<void>;
}

export async function openTestBackends(dataDir: string): Promise<TestBackends> {
  if (TEST_MODE === "embedded") {
    // As src/compose.ts wires them: one fsync round covers the journal and the app state.
    const walFlush = new WalFlush();
    return {
      engine: await EmbeddedEngine.open({ schema: SCHEMA, dataDir, walFlush }),
      store: await SqliteStore.open(dataDir, walFlush),
      closeBackends: async () => undefined,
    };
  }
  const backends = TEST_MODE === "spicedb" ? await (await import("../spicedb/real-engine.js")).startRealEngine() : await remoteBackends();
  try {
    return { engine: await backends.remoteEngine(), store: await backends.postgresStore(), closeBackends: () => backends.close() };
  } catch (err) {
    await backends.close();
    throw err;
  }
}

async function remoteBackends() {
  // The remote suite is asked for explicitly: without PostgreSQL it fails loudly instead of skipping.
  if (!(await postgresAvailable())) throw new Error(`ACCORD_TEST_MODE=remote needs PostgreSQL. ${SKIP_MESSAGE}`);
  return startRemoteBackends();
}
