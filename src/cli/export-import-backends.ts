// export-import-backends opens the engine and store an installation is configured with (the
// same environment as the server: embedded under ACCORD_DATA_DIR, or SPICEDB_ENDPOINT +
// DATABASE_URL), for `accord export` and `accord import`.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Config } from "../config.js";
import { EmbeddedEngine } from "../engine/embedded-engine.js";
import type { Engine } from "../engine/engine.js";
import { RemoteEngine } from "../engine/remote-engine.js";
import { PostgresStore } from "../store/postgres-store.js";
import { SqliteStore } from "../store/sqlite-store.js";
import type { Store } from "../store/store.js";

export interface Backends {
  engine: Engine;
  store: Store;
  mode: "embedded" | "remote";
  close(): Promise<void>;
}

export async function openBackends(config: Readonly<Config>): Promise<Backends> {
  const schema = readFileSync(resolve(config.schemaFile), "utf8");
  if (config.spicedb) {
    const engine = await RemoteEngine.connect({ ...config.spicedb, schema });
    const store = await PostgresStore.open({ connectionString: config.databaseUrl! });
    return { engine, store, mode: "remote", close: () => closeBoth(engine, store) };
  }
  // NOTE: an embedded installation must not be served while it is imported into: the running
  // server's in-process engine would not see the imported relationships.
  const dataDir = resolve(config.dataDir);
  const engine = await EmbeddedEngine.open({ schema, dataDir });
  const store = new SqliteStore(dataDir);
  return { engine, store, mode: "embedded", close: () => closeBoth(engine, store) };
}

async function closeBoth(engine: Engine, store: Store): Promise<void> {
  await engine.close();
  await store.close();
}
