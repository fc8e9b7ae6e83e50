// global-setup of `npm run test:spicedb`: builds (once) the pinned SpiceDB binary, starts one
// private PostgreSQL for the whole run (track_commit_timestamp=on, fsync off: a test bed) and
// migrates a template datastore, so each test server gets its own SpiceDB database in
// milliseconds (CREATE DATABASE … TEMPLATE) and its own SpiceDB node on it.
import type { TestProject } from "vitest/node";
import { startPrivatePostgres, type PrivatePostgres } from "../../tools/cluster/private-postgres.js";
import { migrateDatastore, spicedbBinary } from "../../tools/cluster/spicedb-node.js";
import { TEMPLATE_DATABASE } from "./real-engine.js";

let postgres: PrivatePostgres | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binary = spicedbBinary();
  postgres = await startPrivatePostgres({ fsync: false });
  await postgres.createDatabase(TEMPLATE_DATABASE);
  migrateDatastore(binary, `${postgres.url(TEMPLATE_DATABASE)}?sslmode=disable`);
  project.provide("realEngine", { binary, postgresPort: postgres.port, postgresDir: postgres.dir });
  return async () => {
    await postgres?.close();
  };
}
