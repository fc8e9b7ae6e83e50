// Pins the exactness of the change-aware check cache (embedded): random interleavings of
// writes, deletes, expiring grants, deletes by filter, writes made on the engine directly and
// checks (alone, in bulk, racing a write), on the product schema and on a second schema with
// arrows, intersection, exclusion, wildcards and nested usersets. After every step every answer
// the cache would serve equals a fully consistent engine check. FUZZ_SEED replays a run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedEngine } from "../src/engine/embedded/embedded-engine.js";
import { DEFAULT_CHECK_PATH } from "../src/config.js";
import { buildCheckPath } from "../src/engine/cache/fast-check-path.js";
import { runModel, universeOf } from "./cache-model/model-run.js";
import { SCHEMA } from "./support/test-server.js";
import { REMOTE_MODE } from "./remote/test-mode.js";
import { recordFigure } from "./support/figures.js";

const SECOND = readFileSync(join(import.meta.dirname, "cache-model", "second-schema.zed"), "utf8");
/** The run's seed, printed with its result: FUZZ_SEED=<seed> replays it. */
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
/** Steps per schema: 5,000 each, 10,000 in all (MODEL_RUNS raises it). */
const RUNS = Number(process.env.MODEL_RUNS ?? 20);
const LENGTH = 250;

// Embedded only: the remote variant (watch-fed, direct writes, watch cuts) is test/remote-cache.test.ts.
describe.skipIf(REMOTE_MODE).each([
  ["the product schema", SCHEMA],
  ["a schema of arrows, intersections, exclusions, wildcards and nested usersets", SECOND],
])("cache exactness on %s", (_name, schema) => {
  let engine: EmbeddedEngine;
  let dataDir: string;
  beforeAll(async () => {
    // With its journal, as served: changes are then bounded by the objects that can reach them.
    dataDir = mkdtempSync(join(tmpdir(), "accord-model-"));
    engine = await EmbeddedEngine.open({ schema, dataDir });
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`${RUNS * LENGTH} random steps: every answer the cache serves equals the engine's`, async () => {
    // Small limits so that eviction, subject sets and their budget all take part.
    const path = buildCheckPath(engine, { ...DEFAULT_CHECK_PATH, cacheMaxEntries: Number(process.env.MODEL_MAX_ENTRIES ?? 64), subjectSetAfter: 1, subjectSetMaxIds: 300, coalesceMaxInFlight: 2 });
    const cache = path.cache!;
    try {
      const universe = universeOf(schema, `m${process.pid}x`);
      const report = await runModel(
        { path: path.engine, cache, truth: engine, direct: engine, compareAt: (newest) => (newest ? { kind: "at_least_as_fresh", token: newest } : undefined) },
        universe,
        { runs: RUNS, length: LENGTH, seed },
      );
      recordFigure(`cache-model-embedded-${_name === "the product schema" ? "product" : "second"}`, `cache model (${_name}, FUZZ_SEED=${seed}): ${report.steps} steps, ${report.compared} served answers compared, ${report.mismatches} mismatches (${report.skipped} across an expiry instant not compared), compare ${Math.round(report.compareMs)} ms, questions ${universe.questions.length}, relationships ${universe.relationships.length}`, "embedded");
      expect(report.steps).toBe(RUNS * LENGTH);
      expect(report.mismatches).toBe(0);
      // The comparison means something only if the cache answered through the writes.
      expect(report.compared).toBeGreaterThan(report.steps);
      expect(cache.stats().changes).toBeGreaterThan(0);
    } finally {
      await cache.stop();
    }
  }, 480_000);
});
