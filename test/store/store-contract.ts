// store-contract pins the Store port's behaviour; every Store implementation runs it
// (sqlite-store.test.ts, postgres-store.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";

export interface StoreUnderTest {
  store: Store;
  /** cleanup removes what the store left behind (files, schemas). */
  cleanup(): Promise<void>;
}

let counter = 0;
const id = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

export function storeContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: Store;
    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await store?.close();
      await subject?.cleanup();
    });

    it("returns what was put, with optional fields left out when unset", async () => {
      const createdAt = new Date("2024-05-06T07:08:09.123Z");
      const org = id("org");
      await store.putObject({ kind: "organization", id: org, name: "Acme — Zürich 🚀", seatLimit: 5, createdAt });
      const project = id("project");
      await store.putObject({ kind: "project", id: project, createdAt });
      expect(await store.getObject("organization", org)).toEqual({ kind: "organization", id: org, name: "Acme — Zürich 🚀", seatLimit: 5, createdAt });
      const bare = await store.getObject("project", project);
      expect(bare).toEqual({ kind: "project", id: project, createdAt });
      expect(bare).not.toHaveProperty("name");
      expect(bare).not.toHaveProperty("seatLimit");
    });

    it("answers undefined for unknown objects and keeps kinds apart", async () => {
      const shared = id("same");
      await store.putObject({ kind: "group", id: shared, name: "a group", createdAt: new Date() });
      expect(await store.getObject("role", shared)).toBeUndefined();
      expect(await store.getObject("group", id("missing"))).toBeUndefined();
      expect((await store.getObject("group", shared))?.name).toBe("a group");
    });

    it("putObject replaces name and settings but keeps the creation time", async () => {
      const org = id("org");
      const first = new Date("2024-01-01T00:00:00.000Z");
      await store.putObject({ kind: "organization", id: org, name: "Before", seatLimit: 3, createdAt: first });
      await store.putObject({ kind: "organization", id: org, name: "After", createdAt: new Date("2025-01-01T00:00:00.000Z") });
      expect(await store.getObject("organization", org)).toEqual({ kind: "organization", id: org, name: "After", createdAt: first });
    });

    it("getObjects returns only the objects that exist, keyed by id", async () => {
      const a = id("res");
      const b = id("res");
      await store.putObject({ kind: "resource", id: a, name: "A", createdAt: new Date() });
      await store.putObject({ kind: "resource", id: b, name: "B", createdAt: new Date() });
      await store.putObject({ kind: "project", id: id("res"), name: "other kind", createdAt: new Date() });
      const found = await store.getObjects("resource", [a, id("missing"), b]);
      expect([...found.keys()].sort()).toEqual([a, b].sort());
      expect(found.get(a)?.name).toBe("A");
      expect((await store.getObjects("resource", [])).size).toBe(0);
    });

    it("deleteObject removes one object and ignores unknown ones", async () => {
      const keep = id("role");
      const gone = id("role");
      await store.putObject({ kind: "role", id: keep, name: "keep", createdAt: new Date() });
      await store.putObject({ kind: "role", id: gone, name: "gone", createdAt: new Date() });
      await store.deleteObject("role", gone);
      await store.deleteObject("role", id("never"));
      expect(await store.getObject("role", gone)).toBeUndefined();
      expect((await store.getObject("role", keep))?.name).toBe("keep");
    });

    it("serves concurrent writers without losing any", async () => {
      const ids = Array.from({ length: 40 }, () => id("c"));
      await Promise.all(ids.map((i, n) => store.putObject({ kind: "group", id: i, name: `g${n}`, createdAt: new Date() })));
      const found = await store.getObjects("group", ids);
      expect(found.size).toBe(ids.length);
    });
  });
}
