// Writes without preconditions that wait for the embedded engine at the same time are written
// together (src/engine/embedded/embedded-engine.ts, write): one engine write, one token. A
// member that cannot be written fails alone; two writes of one relationship keep their order;
// a write with preconditions is never grouped; every acknowledged write survives a restart.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import { EngineError, type Relationship } from "../../src/engine/engine.js";

const schema = readFileSync(join(import.meta.dirname, "..", "..", "schema.zed"), "utf8");
const dataDir = mkdtempSync(join(tmpdir(), "accord-group-commit-"));
let engine: EmbeddedEngine;

const viewer = (project: string, user: string): Relationship => ({ resource: { type: "project", id: project }, relation: "viewer", subject: { type: "user", id: user } });
const allowed = async (project: string, user: string) =>
  (await engine.check({ resource: { type: "project", id: project }, permission: "view", subject: { type: "user", id: user } }, { kind: "full" })).permissionship === "allowed";

beforeAll(async () => {
  engine = await EmbeddedEngine.open({ schema, dataDir });
});
afterAll(async () => {
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("group commit of the embedded engine's writes", () => {
  it("writes concurrent writes together (one token), each one seen", async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => engine.write([{ operation: "touch", relationship: viewer("g1", `u${i}`) }])));
    // The first goes alone (nothing waits before it); the rest gather behind it.
    expect(new Set(results.map((r) => r.zedToken)).size).toBeLessThanOrEqual(3);
    for (let i = 0; i < 40; i++) expect(await allowed("g1", `u${i}`)).toBe(true);
  });

  it("a member that cannot be written fails alone; the others are written", async () => {
    await engine.write([{ operation: "touch", relationship: viewer("g2", "taken") }]);
    const outcomes = await Promise.allSettled([
      engine.write([{ operation: "touch", relationship: viewer("g2", "a") }]),
      engine.write([{ operation: "touch", relationship: viewer("g2", "b") }]),
      engine.write([{ operation: "create", relationship: viewer("g2", "taken") }]),
      engine.write([{ operation: "touch", relationship: viewer("g2", "c") }]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const failure = (outcomes[2] as PromiseRejectedResult).reason;
    expect(failure).toBeInstanceOf(EngineError);
    expect((failure as EngineError).failure.kind).toBe("already_exists");
    for (const user of ["a", "b", "c", "taken"]) expect(await allowed("g2", user)).toBe(true);
  });

  it("two writes of one relationship keep their order, and a precondition is never skipped", async () => {
    const [touched, deleted] = await Promise.all([
      engine.write([{ operation: "touch", relationship: viewer("g3", "x") }]),
      engine.write([{ operation: "delete", relationship: viewer("g3", "x") }]),
    ]);
    expect(touched.zedToken).not.toBe(deleted.zedToken);
    expect(await allowed("g3", "x")).toBe(false);
    const guarded = await Promise.allSettled([
      engine.write([{ operation: "touch", relationship: viewer("g3", "y") }]),
      engine.write([{ operation: "touch", relationship: viewer("g3", "z") }], [{ operation: "must_exist", filter: { resourceType: "project", resourceId: "g3", relation: "viewer", subject: { type: "user", id: "nobody" } } }]),
    ]);
    expect(guarded.map((o) => o.status)).toEqual(["fulfilled", "rejected"]);
    expect(await allowed("g3", "y")).toBe(true);
    expect(await allowed("g3", "z")).toBe(false);
  });

  it("every acknowledged write of a group is in the journal: a restart serves them all", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => engine.write([{ operation: "touch", relationship: viewer("g4", `v${i}`) }])));
    await engine.close();
    engine = await EmbeddedEngine.open({ schema, dataDir });
    for (let i = 0; i < 20; i++) expect(await allowed("g4", `v${i}`)).toBe(true);
    expect(await allowed("g2", "c")).toBe(true);
  });
});
