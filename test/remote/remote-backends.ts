// remote-backends stands up what remote mode talks to, on this machine: an embedded Accord
// engine serving the SpiceDB gRPC API on a free loopback port (the "cluster"), and a fresh
// PostgreSQL schema. Tests build RemoteEngine/PostgresStore (or whole apps) against them.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import { startGrpcEndpoint, type GrpcEndpoint } from "../../src/grpc/grpc-endpoint.js";
import { RemoteEngine, type RemoteEngineOptions } from "../../src/engine/remote/remote-engine.js";
import { ApiKeyRing } from "../../src/auth/api-keys.js";
import { PostgresStore } from "../../src/store/postgres-store.js";
import { dropSchema, freshSchema, TEST_DATABASE_URL } from "../store/postgres-test-database.js";

export const SCHEMA = readFileSync(join(import.meta.dirname, "..", "..", "schema.zed"), "utf8");
/** ENGINE_TOKEN is the admin key the "cluster" accepts as its gRPC bearer (SpiceDB's preshared key). */
export const ENGINE_TOKEN = "test-engine-preshared-key-0123456789";

export interface RemoteBackends {
  /** host:port of the gRPC endpoint. */
  endpoint: string;
  embedded: EmbeddedEngine;
  databaseUrl: string;
  /** The PostgreSQL schema this run owns. */
  schema: string;
  remoteEngine(options?: Partial<RemoteEngineOptions>): Promise<RemoteEngine>;
  postgresStore(): Promise<PostgresStore>;
  /** stopEngine closes the gRPC endpoint (SpiceDB down); startEngine serves again on the same port. */
  stopEngine(): Promise<void>;
  startEngine(): Promise<void>;
  close(): Promise<void>;
}

export async function startRemoteBackends(): Promise<RemoteBackends> {
  const dataDir = mkdtempSync(join(tmpdir(), "accord-cluster-"));
  const embedded = await EmbeddedEngine.open({ schema: SCHEMA, dataDir });
  const keys = ApiKeyRing.fromConfig([{ name: "engine", key: ENGINE_TOKEN, scopes: ["admin"] }]);
  let grpc: GrpcEndpoint | undefined = await startGrpcEndpoint({ engine: embedded, keys: () => keys, port: 0 });
  const port = grpc.port;
  const schema = freshSchema();
  const opened: Array<{ close(): Promise<void> }> = [];
  return {
    endpoint: `127.0.0.1:${port}`,
    embedded,
    databaseUrl: TEST_DATABASE_URL,
    schema,
    async remoteEngine(options = {}) {
      const engine = await RemoteEngine.connect({ endpoint: `127.0.0.1:${port}`, token: ENGINE_TOKEN, insecure: true, schema: SCHEMA, ...options });
      opened.push(engine);
      return engine;
    },
    async postgresStore() {
      const store = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema, max: 4 });
      opened.push(store);
      return store;
    },
    async stopEngine() {
      await grpc?.close();
      grpc = undefined;
    },
    async startEngine() {
      grpc ??= await startGrpcEndpoint({ engine: embedded, keys: () => keys, port });
    },
    async close() {
      for (const o of opened) await o.close().catch(() => undefined);
      await grpc?.close();
      await embedded.close();
      await dropSchema(schema).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
