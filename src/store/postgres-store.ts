// PostgresStore is the remote-mode Store: app state in PostgreSQL through a pg pool, so any
// number of stateless replicas share it. Migrations are an append-only versioned list recorded
// in accord_migrations and applied at open inside one transaction holding an advisory lock, so
// replicas starting at once apply each migration exactly once. Connection failures surface as
// `unavailable` (503 with Retry-After), never as a bare 500.
import pg from "pg";
import { createHash } from "node:crypto";
import { DomainError, unavailable } from "../domain/errors.js";
import { POSTGRES_APP_STATE_MIGRATION, POSTGRES_JSON_TEXT_MIGRATION, PostgresAppState } from "./postgres-app-state.js";
import type { AuditDraft, ObjectKind, ObjectRecord, Store } from "./store.js";

/** POSTGRES_MIGRATIONS run in order, each once; append only (never edit a shipped entry). */
export const POSTGRES_MIGRATIONS: string[] = [
  `CREATE TABLE objects (
     kind TEXT NOT NULL, id TEXT NOT NULL, name TEXT, seat_limit INTEGER,
     created_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (kind, id)
   )`,
  POSTGRES_APP_STATE_MIGRATION,
  POSTGRES_JSON_TEXT_MIGRATION,
];

export interface PostgresStoreOptions {
  connectionString: string;
  /** A PostgreSQL schema to live in (created if missing); default: the connection's search_path. */
  schema?: string;
  /** Pool size per replica (default 10). */
  max?: number;
  /** application_name shown in pg_stat_activity (default "accord"). */
  applicationName?: string;
  /** Migrations to apply (default POSTGRES_MIGRATIONS; tests pass their own). */
  migrations?: string[];
}

/** Queryable is what a statement runs on: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.PoolClient, "query">;

interface ObjectRow {
  kind: ObjectKind;
  id: string;
  name: string | null;
  seat_limit: number | null;
  created_at: Date;
}

function fromRow(row: ObjectRow): ObjectRecord {
  const record: ObjectRecord = { kind: row.kind, id: row.id, createdAt: new Date(row.created_at) };
  if (row.name !== null) record.name = row.name;
  if (row.seat_limit !== null) record.seatLimit = row.seat_limit;
  return record;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgresStore extends PostgresAppState (invitations, plans, audit log) with objects and the pool. */
export class PostgresStore extends PostgresAppState implements Store {
  private ended = false;
  /** Sessions that hold advisory locks (see runExclusive), apart from the query pool. */
  private lockPool: pg.Pool | undefined;
  private lockNamespace = "";

  private constructor(readonly pool: pg.Pool) {
    super();
  }

  /**
   * runExclusive runs `work` while holding a PostgreSQL advisory lock named by `key` (and the
   * store's schema), so read-check-write rules of one organization or project (last owner,
   * seat limit) are serialized across every replica of an installation, not just in one
   * process. The lock lives on a session of a small pool of its own: work's own queries never
   * wait behind lock holders. A session lost mid-work releases its lock in PostgreSQL.
   */
  async runExclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (!this.lockPool) {
      this.lockPool = new pg.Pool({ ...this.pool.options, max: 8 });
      this.lockPool.on("error", () => undefined);
    }
    const id = createHash("sha256").update(`accord-lock:${this.lockNamespace}:${key}`).digest().readBigInt64BE(0).toString();
    let client: pg.PoolClient | undefined;
    try {
      client = guarded(await this.lockPool.connect());
      await client.query("SELECT pg_advisory_lock($1)", [id]);
    } catch (err) {
      client?.release(err instanceof Error ? err : true);
      throw toStoreError(err);
    }
    let broken: Error | undefined;
    try {
      return await work();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [id]).catch((err: unknown) => (broken = err instanceof Error ? err : new Error(String(err))));
      client.release(broken);
    }
  }

  /** open connects, creates the schema if asked, and applies pending migrations. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new Error(`invalid PostgreSQL schema name: ${options.schema}`);
    }
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: 5_000,
      application_name: options.applicationName ?? "accord",
      idleTimeoutMillis: 30_000,
      // The schema is validated above, so it is safe inside the startup options.
      options: options.schema ? `-c search_path=${options.schema}` : undefined,
    });
    // An idle client whose server went away emits here; without a listener it would crash the process.
    pool.on("error", () => undefined);
    const store = new PostgresStore(pool);
    store.lockNamespace = options.schema ?? "";
    try {
      await store.migrate(options.migrations ?? POSTGRES_MIGRATIONS, options.schema);
    } catch (err) {
      await pool.end();
      throw toStoreError(err);
    }
    return store;
  }

  private async migrate(migrations: string[], schema: string | undefined): Promise<void> {
    // One lock per schema: replicas of one installation serialize, separate schemas do not.
    const key = createHash("sha256").update(`accord-migrations:${schema ?? ""}`).digest().readBigInt64BE(0);
    await this.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [key.toString()]);
      // Under the lock: concurrent CREATE SCHEMA IF NOT EXISTS can otherwise collide.
      if (schema) await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await tx.query(`CREATE TABLE IF NOT EXISTS accord_migrations (
        version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const applied = await tx.query<{ version: number }>("SELECT COALESCE(MAX(version), 0) AS version FROM accord_migrations");
      const current = Number(applied.rows[0]?.version ?? 0);
      if (current > migrations.length) {
        throw new Error(`the database is at migration ${current}, newer than this Accord (${migrations.length}): upgrade Accord`);
      }
      for (let i = current; i < migrations.length; i++) {
        await tx.query(migrations[i]!);
        await tx.query("INSERT INTO accord_migrations (version) VALUES ($1)", [i + 1]);
      }
    });
  }

  /** transaction runs work on one client between BEGIN and COMMIT (ROLLBACK on failure). */
  override async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw toStoreError(err);
    } finally {
      client.release();
    }
  }

  /** migrationVersion is the newest applied migration. */
  async migrationVersion(): Promise<number> {
    const result = await this.query<{ version: number }>("SELECT COALESCE(MAX(version), 0) AS version FROM accord_migrations");
    return Number(result.rows[0]?.version ?? 0);
  }

  async getObject(kind: ObjectKind, id: string): Promise<ObjectRecord | undefined> {
    const result = await this.query<ObjectRow>("SELECT * FROM objects WHERE kind = $1 AND id = $2", [kind, id]);
    return result.rows[0] ? fromRow(result.rows[0]) : undefined;
  }

  async getObjects(kind: ObjectKind, ids: string[]): Promise<Map<string, ObjectRecord>> {
    const out = new Map<string, ObjectRecord>();
    if (ids.length === 0) return out;
    const result = await this.query<ObjectRow>("SELECT * FROM objects WHERE kind = $1 AND id = ANY($2::text[])", [kind, ids]);
    for (const row of result.rows) out.set(row.id, fromRow(row));
    return out;
  }

  async putObject(record: ObjectRecord, audit?: AuditDraft): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO objects (kind, id, name, seat_limit, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, seat_limit = excluded.seat_limit`,
        [record.kind, record.id, record.name ?? null, record.seatLimit ?? null, record.createdAt],
      );
      if (audit) await this.insertAudit(tx, audit, "committed");
    });
  }

  async deleteObject(kind: ObjectKind, id: string): Promise<void> {
    await this.query("DELETE FROM objects WHERE kind = $1 AND id = $2", [kind, id]);
  }

  /** ready reports whether PostgreSQL answers. */
  async ready(): Promise<boolean> {
    try {
      await this.pool.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.lockPool?.end();
    await this.pool.end();
  }

  protected override async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw toStoreError(err);
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return guarded(await this.pool.connect());
    } catch (err) {
      throw toStoreError(err);
    }
  }
}

const GUARDED = new WeakSet<pg.PoolClient>();
/**
 * guarded gives a checked-out client an error listener (once per client). pg emits a lost
 * connection on the client in use, and without a listener Node ends the process: a PostgreSQL
 * restart must fail the queries in flight (503), not the replica. The pool guards idle ones.
 */
function guarded(client: pg.PoolClient): pg.PoolClient {
  if (!GUARDED.has(client)) {
    client.on("error", () => undefined);
    GUARDED.add(client);
  }
  return client;
}

// SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P (operator
// intervention: shutdown, terminated), 40001/40P01 (retryable serialization/deadlock).
const TRANSIENT_SQLSTATE = /^(08|53|57P|40001|40P01)/;
const TRANSIENT_MESSAGE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|pool after calling end/i;

/** toStoreError reports PostgreSQL being out of reach as `unavailable`; other errors pass. */
export function toStoreError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : String(err);
  if (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_MESSAGE.test(code) || TRANSIENT_MESSAGE.test(message)) {
    return unavailable(`app-state store unavailable: ${message}`);
  }
  return err;
}
