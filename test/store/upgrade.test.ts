// Pins the upgrade in place: an SQLite data dir and a PostgreSQL schema written by the app-state
// code before the single Kysely implementation (test/store/fixtures/, made from that commit by
// make-upgrade-fixtures.ts) open with today's stores, keep every row, read back as that code
// read them, take new writes, and end up with the tables and indexes of a database made new.
import pg from "pg";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../../src/store/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import type { ObjectKind, Store } from "../../src/store/store.js";
import { dropSchema, freshSchema, postgresAvailable, SKIP_MESSAGE, TEST_DATABASE_URL } from "./postgres-test-database.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
/** The schema name inside the PostgreSQL dump (make-upgrade-fixtures.ts). */
const FIXTURE_SCHEMA = "accord_upgrade_fixture";

interface Expected {
  objects: Array<{ kind: ObjectKind; id: string }>;
  invitations: Array<{ id: string }>;
  plans: Record<string, string>;
  audit: Array<{ id: string }>;
}
const { commit: _commit, ...expected } = JSON.parse(readFileSync(join(FIXTURES, "before-kysely.expected.json"), "utf8")) as Expected & { commit: string };

const NOW = new Date("2026-01-01T00:00:00.000Z");
const newestOldEntry = Math.max(...expected.audit.map((e) => Number(e.id)));

/** readBack reads every fixture record through the Store port, as the fixture script did with the old code. */
async function readBack(store: Store): Promise<Expected> {
  const objects = [];
  for (const { kind, id } of expected.objects) objects.push(await store.getObject(kind, id));
  const invitations = [];
  for (const { id } of expected.invitations) invitations.push(await store.getInvitation(id));
  const plans = { alice: await store.getPlan("alice"), bob: await store.getPlan("bob") };
  return JSON.parse(JSON.stringify({ objects, invitations, plans, audit: await store.listAudit({ limit: 1000 }) })) as Expected;
}

interface Dialect {
  /** openUpgraded opens the fixture (a copy of it) with today's store. */
  openUpgraded(): Promise<{ store: Store; cleanup(): Promise<void> }>;
  openFresh(): Promise<{ store: Store; cleanup(): Promise<void> }>;
  /** schemaOf describes the app-state tables, their columns and indexes, in comparable terms. */
  schemaOf(store: Store): Promise<unknown>;
}

function upgradeSuite(name: string, dialect: Dialect): void {
  describe(`upgrading ${name} made before the single implementation`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await dialect.openUpgraded());
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it("reads back every object, invitation, plan and audit entry as the previous code did", async () => {
      expect(expected.objects).toHaveLength(7);
      expect(expected.invitations).toHaveLength(7);
      expect(expected.audit).toHaveLength(23);
      expect(await readBack(store)).toEqual(expected);
    });

    it("answers queries over the old rows: states, seats, invitees, audit filters", async () => {
      const ids = async (state?: "pending" | "expired" | "revoked" | "accepted" | "declined", targetId = "acme") =>
        (await store.listInvitations({ targetType: "organization", targetId, state, now: NOW, limit: 10 })).map((i) => i.id);
      expect(await ids("pending")).toEqual(["inv-pending", "inv-accepting"]);
      expect(await ids("expired")).toEqual(["inv-expired"]);
      expect(await ids("accepted")).toEqual(["inv-accepted"]);
      expect(await ids("revoked", "globex")).toEqual(["inv-revoked"]);
      expect(await ids()).toEqual(["inv-pending", "inv-accepting", "inv-accepted", "inv-expired"]);
      expect(await store.countSeatInvitations("acme", NOW)).toBe(2);
      const forBob = await store.listPendingInvitationsFor([{ kind: "user", id: "bob" }, { kind: "group", id: "eng" }], NOW, 10);
      expect(forBob.map((i) => i.id)).toEqual(["inv-pending"]);
      expect((await store.listAudit({ object: "user:bob", limit: 10 })).map((e) => e.action)).toEqual(["POST /v1/relationships"]);
      expect((await store.listAudit({ actor: "key:admin", limit: 10 })).map((e) => e.action)).toEqual(["PUT /v1/schema"]);
      expect((await store.listAudit({ limit: 2, before: "22" })).map((e) => e.id)).toEqual(["21", "20"]);
    });

    it("takes new writes beside the old rows", async () => {
      // Two old seat invitations count against the limit.
      const invitation = {
        id: "inv-new",
        targetType: "organization" as const,
        targetId: "acme",
        orgId: "acme",
        invitee: { kind: "user" as const, id: "hugo" },
        role: "member",
        holdsSeat: true,
        status: "pending" as const,
        invitedBy: "olivia",
        createdAt: NOW,
        expiresAt: new Date("2026-01-08T00:00:00.000Z"),
        updatedAt: NOW,
      };
      expect(await store.insertInvitation(invitation, { now: NOW, seats: { seatLimit: 5, members: 3 } })).toBe("seat_limit_reached");
      expect(await store.insertInvitation({ ...invitation, invitee: { kind: "user", id: "bob" } }, { now: NOW })).toBe("invitation_pending");
      expect(await store.insertInvitation(invitation, { now: NOW, seats: { seatLimit: 6, members: 3 } })).toBe("created");
      expect(await store.getInvitation("inv-new")).toEqual(invitation);
      const accepted = await store.updateInvitation("inv-pending", { from: ["pending"], to: "accepted", at: NOW, by: "bob", unexpiredAt: NOW });
      expect(accepted).toMatchObject({ status: "accepted", respondedBy: "bob", scopes: { projects: "full", billing: "view" } });
      expect(await store.endInvitationsTo({ type: "organization", id: "globex" }, { at: NOW })).toBe(0);
      await store.putObject({ kind: "organization", id: "acme", name: "Acme renamed", createdAt: NOW });
      expect(await store.getObject("organization", "acme")).toEqual({ kind: "organization", id: "acme", name: "Acme renamed", createdAt: new Date("2025-01-01T10:00:00.123Z") });
      await store.deleteObject("resource", "doc-1");
      expect(await store.getObject("resource", "doc-1")).toBeUndefined();
      await store.setPlan("bob", "scale", NOW);
      expect(await store.getPlan("bob")).toBe("scale");
      const entry = await store.appendAudit({ at: NOW, principal: "key:admin", actor: "user:olivia", action: "after upgrade", changes: [], objects: ["user:bob"] }, "pending");
      expect(Number(entry)).toBeGreaterThan(newestOldEntry);
      await store.commitAudit(entry, "zed-token-3");
      const [newest] = await store.listAudit({ object: "user:bob", limit: 1 });
      expect(newest).toMatchObject({ id: entry, state: "committed", zedToken: "zed-token-3" });
      // The old pending entry can still be discarded.
      await store.discardAudit("23");
      expect((await store.listAudit({ object: "user:erin", limit: 10 })).map((e) => e.id)).toEqual([]);
    });

    it("ends up with the tables, columns and indexes of a database made new", async () => {
      const fresh = await dialect.openFresh();
      try {
        const upgraded = await dialect.schemaOf(store);
        expect(JSON.stringify(upgraded)).toMatch(/audit_objects_by_entry/);
        expect(upgraded).toEqual(await dialect.schemaOf(fresh.store));
      } finally {
        await fresh.store.close();
        await fresh.cleanup();
      }
    });
  });
}

// ---- SQLite: a copy of an embedded data dir's accord.db ----

const tempDir = () => mkdtempSync(join(tmpdir(), "accord-upgrade-"));

upgradeSuite("an SQLite data dir", {
  async openUpgraded() {
    const dir = tempDir();
    copyFileSync(join(FIXTURES, "before-kysely.sqlite"), join(dir, "accord.db"));
    return { store: await SqliteStore.open(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  async openFresh() {
    const dir = tempDir();
    return { store: await SqliteStore.open(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  async schemaOf(store) {
    const file = (store as SqliteStore).file;
    const tables = file.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%' ORDER BY name`).all() as Array<{ name: string; sql: string }>;
    return tables.map(({ name, sql }) => ({
      name,
      withoutRowid: /without rowid/i.test(sql),
      autoincrement: /autoincrement/i.test(sql),
      columns: (file.pragma(`table_info(${name})`) as Array<{ name: string; type: string; notnull: number; pk: number }>).map((c) => ({ ...c, type: c.type.toLowerCase() })),
      foreignKeys: (file.pragma(`foreign_key_list(${name})`) as Array<Record<string, string>>).map(({ table, from, to, on_delete }) => ({ table, from, to, on_delete })),
      indexes: (file.pragma(`index_list(${name})`) as Array<{ name: string; unique: number; origin: string }>)
        .map((i) => ({ name: i.name, unique: i.unique, origin: i.origin, columns: (file.pragma(`index_info(${i.name})`) as Array<{ name: string }>).map((c) => c.name) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }));
  },
});

// ---- PostgreSQL: the dump restored into a fresh schema ----

const available = await postgresAvailable();
if (!available) console.warn(SKIP_MESSAGE);

async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)("PostgreSQL", () => {
  upgradeSuite("a PostgreSQL schema", {
    async openUpgraded() {
      const schema = freshSchema("accord_upgrade");
      const dump = readFileSync(join(FIXTURES, "before-kysely.postgres.sql"), "utf8");
      await query(dump.replaceAll(FIXTURE_SCHEMA, schema));
      try {
        expect((await query<{ version: number }>(`SELECT max(version) AS version FROM ${schema}.accord_migrations`))[0]?.version).toBe(3);
        return { store: await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema }), cleanup: () => dropSchema(schema) };
      } catch (err) {
        await dropSchema(schema);
        throw err;
      }
    },
    async openFresh() {
      const schema = freshSchema("accord_upgrade");
      return { store: await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema }), cleanup: () => dropSchema(schema) };
    },
    async schemaOf(store) {
      const [{ schema }] = (await (store as PostgresStore).db.selectNoFrom((eb) => eb.fn<string>("current_schema").as("schema")).execute()) as [{ schema: string }];
      const own = (name: string) => !name.startsWith("kysely_") && name !== "accord_migrations";
      const columns = await query<{ table_name: string; column_default: string | null }>(
        `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, column_name`,
        [schema],
      );
      const constraints = await query<{ table_name: string; definition: string }>(
        `SELECT tc.table_name, tc.constraint_name, tc.constraint_type, pg_get_constraintdef(c.oid) AS definition
         FROM information_schema.table_constraints tc JOIN pg_constraint c ON c.conname = tc.constraint_name AND c.connamespace = $1::text::regnamespace
         WHERE tc.table_schema = $1::text AND tc.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY', 'UNIQUE') ORDER BY tc.table_name, tc.constraint_name`,
        [schema],
      );
      const indexes = await query<{ tablename: string; indexdef: string }>(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [schema]);
      const unqualified = (text: string | null) => text?.replaceAll(`${schema}.`, "") ?? null;
      return {
        columns: columns.filter((c) => own(c.table_name)).map((c) => ({ ...c, column_default: unqualified(c.column_default) })),
        constraints: constraints.filter((c) => own(c.table_name)).map((c) => ({ ...c, definition: unqualified(c.definition) })),
        indexes: indexes.filter((i) => own(i.tablename)).map((i) => ({ ...i, indexdef: unqualified(i.indexdef) })),
      };
    },
  });
});
