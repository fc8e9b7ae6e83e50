// Changes go ahead of waiting checks in the embedded engine (src/engine/embedded/ffi-async.ts):
// a write sent behind hundreds of checks does not wait for them. Shown by order, not by time:
// how many of the checks sent before the write had finished when the write was acknowledged.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import type { Relationship } from "../../src/engine/engine.js";

const schema = readFileSync(join(import.meta.dirname, "..", "..", "schema.zed"), "utf8");
const dataDir = mkdtempSync(join(tmpdir(), "accord-write-first-"));
let engine: EmbeddedEngine;

const viewer = (project: string, user: string): Relationship => ({ resource: { type: "project", id: project }, relation: "viewer", subject: { type: "user", id: user } });

beforeAll(async () => {
  engine = await EmbeddedEngine.open({ schema, dataDir });
  const seed = Array.from({ length: 900 }, (_, i) => ({ operation: "touch" as const, relationship: viewer(`p${i % 30}`, `u${i}`) }));
  await engine.write(seed);
});
afterAll(async () => {
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the embedded engine's call queue", () => {
  it("runs a write ahead of the checks waiting before it, and the write is seen by checks after it", async () => {
    const CHECKS = 400;
    let finished = 0;
    const checks = Array.from({ length: CHECKS }, (_, i) =>
      engine.check({ resource: { type: "project", id: `p${i % 30}` }, permission: "view", subject: { type: "user", id: `u${(i * 7) % 900}` } }).then((r) => {
        finished += 1;
        return r;
      }),
    );
    await engine.write([{ operation: "touch", relationship: viewer("p0", "newcomer") }]);
    const finishedBeforeWrite = finished;
    const results = await Promise.all(checks);
    expect(results.every((r) => r.permissionship === "allowed" || r.permissionship === "denied")).toBe(true);
    // First come, first served, the write would wait for (nearly) all 400: it waits for a few.
    expect(finishedBeforeWrite).toBeLessThan(CHECKS / 4);
    expect((await engine.check({ resource: { type: "project", id: "p0" }, permission: "view", subject: { type: "user", id: "newcomer" } })).permissionship).toBe("allowed");
  });
});
