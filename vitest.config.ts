import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest start first. Without timings from an earlier run (a fresh clone,
 * CI) vitest starts larger files first, and the model test — a small file that runs for minutes —
 * began last and ran alone at the end (690 s wall for 763 s of files on two workers).
 */
const LONGEST = ["test/cache-model.test.ts", "test/docs-examples.test.ts", "test/fuzz/model.test.ts"];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = LONGEST.findIndex((path) => spec.moduleId.endsWith(path));
      return at < 0 ? LONGEST.length : at;
    };
    return sorted.map((spec, index) => ({ spec, index })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index).map(({ spec }) => spec);
  }
}

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
    // Each worker runs its files one after another in one process: the app's modules (express,
    // kysely, the embedded engine's library, …) are loaded once per worker instead of once per
    // file (import time 147 s → 16 s; the suite 655–715 s → 535 s). No test mocks modules or
    // changes the environment, and each file opens and closes its own servers and engines.
    isolate: false,
    sequence: { sequencer: LongestFirst },
  },
});
