// Pins how embedded mode makes its SQLite commits durable off the event loop (src/store/wal-flush.ts):
// an acknowledged relationship write, and a committed app-state write, each wait for an fsync
// round that began after their commit; rounds are grouped; a failed fsync fails every later
// flush, so nothing more is acknowledged. Durability across kill -9 is test/durability.test.ts.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { WalFlush } from "../../src/store/wal-flush.js";
import { SCHEMA } from "../support/test-server.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "accord-wal-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const rel = (user: string) => ({ resource: { type: "project", id: "p1" }, relation: "viewer", subject: { type: "user", id: user } });

describe("WalFlush", () => {
  it("answers callers that ask while a round runs with one next round, not one round each", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.db-wal"), "frames");
    const flush = new WalFlush();
    flush.watch(join(dir, "a.db"));
    const first = flush.flush();
    const waiting = Array.from({ length: 20 }, () => flush.flush());
    await Promise.all([first, ...waiting]);
    expect(flush.stats.asked).toBe(21);
    // The first round, and one more for everyone who asked while it ran.
    expect(flush.stats.rounds).toBe(2);
    await flush.flush();
    expect(flush.stats.rounds).toBe(3);
  });

  it("fails every flush after an fsync failed: nothing more is acknowledged", async () => {
    const dir = tempDir();
    // fsync of /dev/null fails (EINVAL), as a failing disk would.
    symlinkSync("/dev/null", join(dir, "a.db-wal"));
    const flush = new WalFlush();
    flush.watch(join(dir, "a.db"));
    await expect(flush.flush()).rejects.toThrow(/fsync failed/);
    await expect(flush.flush()).rejects.toThrow(/nothing more is acknowledged/);
    expect(flush.stats.rounds).toBe(1);
  });
});

describe("embedded mode's acknowledged writes wait for the disk", () => {
  it("a relationship write is answered after an fsync round that began after its journal commit", async () => {
    const flush = new WalFlush();
    const engine = await EmbeddedEngine.open({ schema: SCHEMA, dataDir: tempDir(), walFlush: flush });
    try {
      for (const user of ["a", "b", "c"]) {
        const before = flush.stats.rounds;
        await engine.write([{ operation: "touch", relationship: rel(user) }]);
        expect(flush.stats.rounds).toBeGreaterThan(before);
      }
      const before = flush.stats.rounds;
      await engine.deleteByFilter({ resourceType: "project", resourceId: "p1" });
      expect(flush.stats.rounds).toBeGreaterThan(before);
    } finally {
      await engine.close();
    }
  });

  it("a write that fails to reach the disk is refused and taken back from the engine", async () => {
    const dir = tempDir();
    const flush = new WalFlush();
    const engine = await EmbeddedEngine.open({ schema: SCHEMA, dataDir: dir, walFlush: flush });
    try {
      // A second watched file whose fsync fails stands for the disk failing.
      symlinkSync("/dev/null", join(dir, "broken.db-wal"));
      flush.watch(join(dir, "broken.db"));
      await expect(engine.write([{ operation: "touch", relationship: rel("x") }])).rejects.toThrow(/could not be made durable/);
      const read = await engine.readRelationships({ resourceType: "project", resourceId: "p1" }, { limit: 10 }, { kind: "full" });
      expect(read.relationships).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it("an app-state write (autocommit or a transaction) returns after an fsync round; a read asks for none", async () => {
    const flush = new WalFlush();
    const store = await SqliteStore.open(tempDir(), flush);
    try {
      let before = flush.stats.rounds;
      const id = await store.appendAudit({ at: new Date(), principal: "key:test", actor: "key:test", action: "POST /v1/relationships", changes: [], objects: [] }, "pending");
      expect(flush.stats.rounds).toBeGreaterThan(before);
      before = flush.stats.rounds;
      await store.commitAudit(id, "token");
      expect(flush.stats.rounds).toBeGreaterThan(before);
      before = flush.stats.rounds;
      const asked = flush.stats.asked;
      expect(await store.listAudit({ limit: 10 })).toHaveLength(1);
      expect([flush.stats.rounds, flush.stats.asked]).toEqual([before, asked]);
    } finally {
      await store.close();
    }
  });

  it("an app-state write that fails to reach the disk is reported unavailable (a 503), not an internal error", async () => {
    const dir = tempDir();
    const flush = new WalFlush();
    const store = await SqliteStore.open(dir, flush);
    try {
      symlinkSync("/dev/null", join(dir, "broken.db-wal"));
      flush.watch(join(dir, "broken.db"));
      const draft = { at: new Date(), principal: "key:test", actor: "key:test", action: "POST /v1/relationships", changes: [], objects: [] };
      await expect(store.appendAudit(draft, "pending")).rejects.toMatchObject({ name: "StoreError", kind: "unavailable" });
    } finally {
      await store.close();
    }
  });
});
