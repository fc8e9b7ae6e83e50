// Pins the Store contract for PostgresStore, plus what only PostgreSQL has: migrations applied
// once when replicas start together, transactions, and "unavailable" when PostgreSQL is gone.
import { sql, type Migration } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../../src/store/postgres-store.js";
import { MIGRATIONS } from "../../src/store/sql-schema.js";
import { StoreError } from "../../src/store/store.js";
import { dropSchema, freshSchema, postgresAvailable, SKIP_MESSAGE, TEST_DATABASE_URL } from "./postgres-test-database.js";
import { storeContract } from "./store-contract.js";

const available = await postgresAvailable();
if (!available) console.warn(SKIP_MESSAGE);

describe.skipIf(!available)("PostgresStore", () => {
  storeContract("PostgresStore", async () => {
    const schema = freshSchema();
    const store = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema });
    return { store, cleanup: () => dropSchema(schema) };
  });

  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it("applies each migration exactly once when several replicas start at the same moment", async () => {
    const schema = freshSchema();
    schemas.push(schema);
    const migrations: Record<string, Migration> = {
      ...MIGRATIONS,
      // A non-idempotent step: applying it twice would fail (duplicate column) or double the rows.
      "9001_note": { up: async (db) => void (await sql`ALTER TABLE objects ADD COLUMN note TEXT`.execute(db)) },
      "9002_seed": {
        up: async (db) => void (await sql`INSERT INTO objects (kind, id, name, created_at) VALUES ('organization', 'seeded', 'seeded once', now())`.execute(db)),
      },
    };
    const applied = async (store: PostgresStore) => (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(store.db)).rows.map((r) => r.name);
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema, migrations, max: 2 })),
    );
    try {
      expect(await applied(stores[0]!)).toEqual(Object.keys(migrations).sort());
      const seeded = await sql<{ n: number }>`SELECT count(*)::int AS n FROM objects WHERE id = 'seeded'`.execute(stores[0]!.db);
      expect(seeded.rows[0]!.n).toBe(1);
      expect(await applied(stores[3]!)).toEqual(Object.keys(migrations).sort());
      // A later start with the same list applies nothing new.
      const again = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema, migrations });
      expect(await applied(again)).toEqual(Object.keys(migrations).sort());
      await again.close();
      // An older Accord refuses a database migrated past it.
      await expect(PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema, migrations: MIGRATIONS })).rejects.toThrow(/newer than this Accord/);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("runExclusive serializes one key across replicas (separate pools), not different keys or schemas", async () => {
    const schema = freshSchema();
    const other = freshSchema();
    schemas.push(schema, other);
    const [a, b, c] = await Promise.all([
      PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema }),
      PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema }),
      PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema: other }),
    ]);
    try {
      const events: string[] = [];
      // Each holder waits for a signal from the test, so overlap shows as interleaved events.
      const hold = (store: PostgresStore, key: string, name: string, release: Promise<void>) =>
        store.runExclusive(key, async () => {
          events.push(`${name} in`);
          await release;
          events.push(`${name} out`);
        });
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const first = hold(a, "organization:acme", "a", gate);
      await new Promise((r) => setTimeout(r, 200));
      const second = hold(b, "organization:acme", "b", Promise.resolve());
      const otherKey = hold(b, "organization:globex", "g", Promise.resolve());
      const otherSchema = hold(c, "organization:acme", "c", Promise.resolve());
      await Promise.all([otherKey, otherSchema]);
      // Another key and another schema went ahead while a held acme; b waits.
      expect([...events].sort()).toEqual(["a in", "c in", "c out", "g in", "g out"]);
      open();
      await Promise.all([first, second]);
      expect(events.indexOf("b in")).toBeGreaterThan(events.indexOf("a out"));
      // A failing holder releases the lock for the next one.
      await expect(a.runExclusive("organization:acme", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
      expect(await b.runExclusive("organization:acme", async () => "next")).toBe("next");
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it("rolls a transaction back whole when one statement fails", async () => {
    const schema = freshSchema();
    schemas.push(schema);
    const store = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema });
    try {
      const insert = (trx: typeof store.db, id: string, name: string) =>
        trx.insertInto("objects").values({ kind: "group", id, name, seat_limit: null, created_at: new Date() }).execute();
      await expect(
        store.db.transaction().execute(async (trx) => {
          await insert(trx, "g1", "first");
          await insert(trx, "g1", "duplicate");
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await store.getObject("group", "g1")).toBeUndefined();
      await store.db.transaction().execute((trx) => insert(trx, "g2", "kept"));
      expect((await store.getObject("group", "g2"))?.name).toBe("kept");
    } finally {
      await store.close();
    }
  });

  it("reports PostgreSQL going away as unavailable, and recovers without reopening", async () => {
    const schema = freshSchema();
    schemas.push(schema);
    const applicationName = `accord-fault-${schema}`;
    const store = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema, max: 2, applicationName });
    try {
      await store.putObject({ kind: "organization", id: "o1", name: "before", createdAt: new Date() });
      // Terminate every backend of this pool (as a PostgreSQL restart or failover would).
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      const terminated = await admin.query(
        "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1",
        [applicationName],
      );
      await admin.end();
      expect(terminated.rowCount).toBeGreaterThan(0);
      // The pool's idle connections are dead: the next calls either fail as unavailable or reconnect.
      const outcomes = await Promise.allSettled([store.getObject("organization", "o1"), store.getObject("organization", "o1")]);
      for (const outcome of outcomes) {
        if (outcome.status === "rejected") {
          expect(outcome.reason).toBeInstanceOf(StoreError);
          expect((outcome.reason as StoreError).kind).toBe("unavailable");
        }
      }
      expect((await store.getObject("organization", "o1"))?.name).toBe("before");
    } finally {
      await store.close();
    }
  });

  it("fails with unavailable when nothing listens at the address", async () => {
    await expect(
      PostgresStore.open({ connectionString: "postgres://postgres@127.0.0.1:1/postgres", schema: freshSchema() }),
    ).rejects.toSatisfy((err: unknown) => err instanceof StoreError && err.kind === "unavailable");
  });
});
