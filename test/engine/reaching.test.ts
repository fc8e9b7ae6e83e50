// Pins what bounds a change in embedded mode (change-impact.ts): the objects that can reach the
// changed one, read from the journal — the object, every object with a relationship naming one of
// them as its subject, transitively — and none listed past the limit. That the bound keeps the
// cache exact is test/cache-model.test.ts; that it keeps answers a group change cannot alter is below.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import { RelationshipJournal } from "../../src/engine/embedded/relationship-journal.js";
import type { Relationship, RelationshipUpdate } from "../../src/engine/engine.js";
import { DEFAULT_CHECK_PATH } from "../../src/config.js";
import { buildCheckPath } from "../../src/engine/cache/fast-check-path.js";
import { SCHEMA } from "../support/test-server.js";

const rel = (text: string): Relationship => {
  const [, rt, ri, r, st, si, sr] = /^(\w+):([^#]+)#(\w+)@(\w+):([^#]+)(?:#(\w+))?$/.exec(text)!;
  return { resource: { type: rt!, id: ri! }, relation: r!, subject: { type: st!, id: si!, ...(sr ? { relation: sr } : {}) } };
};
const touch = (...texts: string[]): RelationshipUpdate[] => texts.map((t) => ({ operation: "touch", relationship: rel(t) }));

describe("the objects that can reach a changed one", () => {
  let dir: string;
  let journal: RelationshipJournal;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "accord-reach-"));
    journal = new RelationshipJournal(dir);
    journal.apply(
      touch(
        "group:core#direct_member@user:ann",
        "group:eng#direct_member@group:core#member",
        "project:p1#viewer@group:eng#member",
        "resource:r1#project@project:p1",
        "folder:f1#project@project:p1",
        "resource:r2#parent@folder:f1",
        "project:p2#viewer@user:ann",
        "resource:r3#project@project:p2",
      ),
    );
  });
  afterAll(async () => {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists the object and everything above it, through usersets and arrows, and nothing beside it", () => {
    expect([...journal.reaching({ type: "group", id: "core" }, 100)!].sort()).toEqual([
      "folder:f1", "group:core", "group:eng", "project:p1", "resource:r1", "resource:r2",
    ]);
    expect([...journal.reaching({ type: "project", id: "p2" }, 100)!].sort()).toEqual(["project:p2", "resource:r3"]);
    expect([...journal.reaching({ type: "resource", id: "r1" }, 100)!]).toEqual(["resource:r1"]);
  });

  it("lists none past the limit (the change is then bounded by the schema alone)", () => {
    expect(journal.reaching({ type: "group", id: "core" }, 6)?.size).toBe(6);
    expect(journal.reaching({ type: "group", id: "core" }, 5)).toBeUndefined();
  });
});

describe("a group change keeps the member's answers on what the group cannot reach", () => {
  let dir: string;
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "accord-reach-"));
    engine = await EmbeddedEngine.open({ schema: SCHEMA, dataDir: dir });
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("drops the member's answers on the group's projects only, and answers them anew", async () => {
    await engine.write(touch("project:p1#viewer@group:eng#member", "project:p2#viewer@user:bob", "project:p3#viewer@user:bob"));
    const path = buildCheckPath(engine, { ...DEFAULT_CHECK_PATH, subjectSetAfter: 0 });
    const cache = path.cache!;
    try {
      const check = (project: string) => path.engine.check({ resource: { type: "project", id: project }, permission: "view", subject: { type: "user", id: "bob" } });
      expect((await check("p1")).permissionship).toBe("denied");
      expect((await check("p2")).permissionship).toBe("allowed");
      expect((await check("p3")).permissionship).toBe("allowed");
      await engine.write(touch("group:eng#direct_member@user:bob"));
      const dropped = cache.stats().dropped;
      // Only p1 (which the group reaches) went; p2 and p3 are still answered from the cache.
      expect(dropped).toBe(1);
      const served = (item: string) => path.engine.checkFromCache?.({ resource: { type: "project", id: item }, permission: "view", subject: { type: "user", id: "bob" } });
      expect(served("p2")?.permissionship).toBe("allowed");
      expect(served("p3")?.permissionship).toBe("allowed");
      expect(served("p1")).toBeUndefined();
      // p1 is asked of the engine again, and agrees with a fully consistent check.
      const truth = await engine.check({ resource: { type: "project", id: "p1" }, permission: "view", subject: { type: "user", id: "bob" } }, { kind: "full" });
      expect((await check("p1")).permissionship).toBe(truth.permissionship);
      expect(cache.stats().misses).toBe(4);
    } finally {
      await cache.stop();
    }
  });
});
