// The model-based run of test/cache-model.test.ts on the remote cache (fed by SpiceDB's Watch),
// with writes made directly to SpiceDB with authzed-node and the watch cut and resumed, or held
// behind for stretches of steps, at random: after every step every answer the cache would
// serve, at least as fresh as the newest write anyone made, equals a fully consistent check.
// Runs in npm run test:remote and npm run test:spicedb (the real engine); FUZZ_SEED replays a run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runModel, universeOf } from "./cache-model/model-run.js";
import { cutWatch, openBed, type Bed } from "./cache-model/remote-bed.js";
import { SCHEMA } from "./support/test-server.js";
import { REMOTE_MODE, TEST_MODE } from "./remote/test-mode.js";
import { recordFigure } from "./support/figures.js";

const SECOND = readFileSync(join(import.meta.dirname, "cache-model", "second-schema.zed"), "utf8");
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
/** Steps per schema: 400 (the real engine's watch makes each step slower than in embedded mode). */
const RUNS = Number(process.env.MODEL_RUNS ?? 4);
const LENGTH = 100;

if (!REMOTE_MODE) console.info("remote cache model: run by npm run test:remote and npm run test:spicedb (embedded mode: test/cache-model.test.ts)");

describe.runIf(REMOTE_MODE).each([
  ["the product schema", SCHEMA],
  ["a schema of arrows, intersections, exclusions, wildcards and nested usersets", SECOND],
])(`remote cache exactness (${TEST_MODE}) on %s`, (name, schema) => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await openBed(schema);
  });
  afterAll(async () => {
    await bed?.close();
  });

  it(`${RUNS * LENGTH} random steps with direct writes and watch cuts: every answer the cache serves equals the engine's`, async () => {
    const universe = universeOf(schema, `r${process.pid}x`);
    let settles = 0;
    let holding = false;
    const report = await runModel(
      {
        path: bed.cache,
        cache: bed.cache,
        truth: bed.truth,
        direct: bed.direct,
        cut: () => cutWatch(bed),
        hold: (held) => {
          holding = held;
          if (held) bed.proxy.hold();
          else bed.proxy.release();
        },
        compareAt: (newest) => (newest ? { kind: "at_least_as_fresh", token: newest } : undefined),
        // Give the watch a moment to bring every write, so that the comparison has answers to
        // compare — on one step in four. The others are compared at once: what the cache serves
        // ahead of the watch (this replica's own writes, proven from PostgreSQL's tokens, with
        // other clients' writes in between) is compared too.
        // (While the watch is held there is nothing to wait for.)
        settle: async (newest) => void (newest && ++settles % 4 === 0 && !holding && (await bed.cache.caughtUp(newest, 500))),
      },
      universe,
      { runs: RUNS, length: LENGTH, seed, cuts: true },
    );
    recordFigure(`cache-model-${TEST_MODE}-${name === "the product schema" ? "product" : "second"}`, `remote cache model (${name}, ${TEST_MODE}, FUZZ_SEED=${seed}): ${report.steps} steps, ${report.compared} served answers compared, ${report.mismatches} mismatches (${report.skipped} across an expiry instant not compared), own writes proven ahead of the watch ${bed.cache.stats().watch?.proven}, watch restarts ${bed.cache.stats().watch?.restarts}, waiting for the watch ${Math.round(report.settleMs)} ms, comparing ${Math.round(report.compareMs)} ms`, TEST_MODE);
    expect(report.steps).toBe(RUNS * LENGTH);
    expect(report.mismatches).toBe(0);
    expect(report.compared).toBeGreaterThan(report.steps);
    expect(bed.cache.stats().watch!.restarts).toBeGreaterThan(0);
  }, 600_000);
});
