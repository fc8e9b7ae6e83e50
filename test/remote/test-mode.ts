// test-mode picks the engine and store the shared test server runs on: the embedded engine and
// SQLite by default, or — with ACCORD_TEST_MODE=remote (npm run test:remote) — a RemoteEngine
// speaking gRPC to an embedded engine's SpiceDB endpoint and a PostgresStore on a fresh schema,
// so every HTTP suite also runs in scale-out mode.
import { EmbeddedEngine } from "../../src/engine/embedded-engine.js";
import type { RemoteEngine } from "../../src/engine/remote-engine.js";
import type { PostgresStore } from "../../src/store/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { postgresAvailable, SKIP_MESSAGE } from "../store/postgres-test-database.js";
import { SCHEMA, startRemoteBackends } from "./remote-backends.js";

export const REMOTE_MODE = process.env.ACCORD_TEST_MODE === "remote";

export interface TestBackends {
  engine: EmbeddedEngine | RemoteEngine;
  store: SqliteStore | PostgresStore;
  closeBackends(): Promise<void>;
}

export async function openTestBackends(dataDir: string): Promise<TestBackends> {
  if (!REMOTE_MODE) {
    return { engine: await EmbeddedEngine.open({ schema: SCHEMA, dataDir }), store: new SqliteStore(dataDir), closeBackends: async () => undefined };
  }
  // The remote suite is asked for explicitly: without PostgreSQL it fails loudly instead of skipping.
  if (!(await postgresAvailable())) throw new Error(`ACCORD_TEST_MODE=remote needs PostgreSQL. ${SKIP_MESSAGE}`);
  const backends = await startRemoteBackends();
  try {
    return { engine: await backends.remoteEngine(), store: await backends.postgresStore(), closeBackends: () => backends.close() };
  } catch (err) {
    await backends.close();
    throw err;
  }
}
