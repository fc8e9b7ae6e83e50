// The remote-mode run (npm run test:remote): every HTTP suite in test/*.test.ts, with the
// shared test server on RemoteEngine → gRPC → embedded engine, and PostgresStore.
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: join(import.meta.dirname, "..", ".."),
    include: ["test/*.test.ts"],
    // durability spawns embedded Accord processes itself: remote mode adds nothing to it.
    exclude: ["test/durability.test.ts"],
    env: { ACCORD_TEST_MODE: "remote" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
