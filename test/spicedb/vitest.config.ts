// The real-engine run (npm run test:spicedb): every HTTP suite that test:remote runs, with the
// shared test server on RemoteEngine → a real SpiceDB node (the pinned binary) on PostgreSQL,
// and PostgresStore; plus the cluster suites in test/spicedb/ (replicas, faults, watch).
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: join(import.meta.dirname, "..", ".."),
    include: ["test/*.test.ts", "test/spicedb/*.test.ts"],
    // durability spawns embedded Accord processes itself: a remote engine adds nothing to it.
    exclude: ["test/durability.test.ts"],
    globalSetup: ["test/spicedb/global-setup.ts"],
    env: { ACCORD_TEST_MODE: "spicedb" },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
