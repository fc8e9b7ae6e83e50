import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // test/spicedb/ runs on a real SpiceDB cluster: `npm run test:spicedb` (needs Go to build it).
    exclude: ["test/spicedb/**", "**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores: two test files at a time, each with its own embedded engine.
    maxWorkers: 2,
  },
});
