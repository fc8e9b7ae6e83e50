// PostgresStore is the remote-mode Store: app state in PostgreSQL through a pg pool, so any
// number of stateless replicas share it, with SqlStore's queries. What is PostgreSQL's own is
// here: the pool and its schema, advisory locks (lockUntilCommit, runExclusive), and connection
// failures reported as `unavailable` (the domain answers 503 with Retry-After), never a bare 500.
import pg from "pg";
import { createHash } from "node:crypto";
import {
  Kysely,
  PostgresDialect,
  sql,
  type DatabaseIntrospector,
  type Migration,
  type PostgresDialectConfig,
  type PostgresPool,
  type PostgresPoolClient,
  type Transaction,
} from "kysely";
import { migrate, type Tables } from "./sql-schema.js";
import { SqlStore } from "./sql-store.js";
import { StoreError } from "./store.js";

export interface PostgresStoreOptions {
  connectionString: string;
  /** A PostgreSQL schema to live in (created if missing); default: the connection's search_path. */
  schema?: string;
  /** Pool size per replica (default 10). */
  max?: number;
  /** application_name shown in pg_stat_activity (default "accord"). */
  applicationName?: string;
  /** Migrations to apply (default MIGRATIONS of sql-schema.ts; tests pass their own). */
  migrations?: Record<string, Migration>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P (operator
// intervention: shutdown, terminated), 40001/40P01 (retryable serialization/deadlock).
const TRANSIENT_SQLSTATE = /^(08|53|57P|40001|40P01)/;
const TRANSIENT_MESSAGE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|pool after calling end/i;

/** toStoreError reports PostgreSQL being out of reach as `unavailable`; other errors pass. */
export function toStoreError(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : String(err);
  if (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_MESSAGE.test(code) || TRANSIENT_MESSAGE.test(message)) {
    return new StoreError("unavailable", `app-state store unavailable: ${message}`, { cause: err });
  }
  return err;
}

const fail = (err: unknown): never => {
  throw toStoreError(err);
};

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

/** reportingPool is the pool as Kysely's driver uses it, with every failure passed through toStoreError. */
function reportingPool(pool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = guarded(await pool.connect().catch(fail));
      let reporting = clients.get(client);
      if (!reporting) {
        const query = (text: string, values: unknown[]) => client.query(text, values).catch(fail);
        reporting = { query: query as unknown as PostgresPoolClient["query"], release: (destroy) => client.release(destroy) };
        clients.set(client, reporting);
      }
      return reporting;
    },
    end: () => pool.end(),
  };
}

/**
 * OneSchemaDialect answers the Migrator's questions (does the schema, does its table exist?)
 * about the store's schema only. Kysely's own introspector reads every column of every schema
 * in the database, and fails when another schema is dropped meanwhile (an installation sharing
 * its database, parallel test runs).
 */
class OneSchemaDialect extends PostgresDialect {
  constructor(
    config: PostgresDialectConfig,
    private readonly schema: string,
  ) {
    super(config);
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect interface hands the introspector a Kysely<any>.
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    const schema = this.schema;
    const tables = async () => {
      const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(db);
      return rows.map(({ name }) => ({ name, schema, isView: false, columns: [] }));
    };
    return {
      getSchemas: async () => (await sql<{ name: string }>`select nspname as name from pg_namespace where nspname = ${schema}`.execute(db)).rows,
      getTables: tables,
      getMetadata: async () => ({ tables: await tables() }),
    };
  }
}

/** lockId turns a lock's name into the bigint PostgreSQL's advisory locks take. */
const lockId = (name: string) => createHash("sha256").update(name).digest().readBigInt64BE(0).toString();

export class PostgresStore extends SqlStore {
  /** Sessions that hold advisory locks (see runExclusive), apart from the query pool. */
  private lockPool: pg.Pool | undefined;
  private closed = false;

  private constructor(
    db: Kysely<Tables>,
    private readonly pool: pg.Pool,
    /** Locks are named within the schema: separate installations in one database do not wait on each other. */
    private readonly lockNamespace: string,
  ) {
    super(db);
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
    try {
      // The Migrator creates the schema and keeps its bookkeeping there (the current one by default).
      const schema = options.schema ?? (await pool.query<{ schema: string | null }>("select current_schema() as schema")).rows[0]?.schema;
      if (!schema) throw new Error("PostgreSQL has no schema to create Accord's tables in (check search_path)");
      const db = new Kysely<Tables>({ dialect: new OneSchemaDialect({ pool: reportingPool(pool) }, schema) });
      const store = new PostgresStore(db, pool, options.schema ?? "");
      await migrate(db, { schema, migrations: options.migrations }).catch(async (err: unknown) => {
        await store.close();
        throw err;
      });
      return store;
    } catch (err) {
      if (!pool.ending) await pool.end();
      throw toStoreError(err);
    }
  }

  /** lockUntilCommit takes a transaction-level advisory lock: replicas serialize on the key until commit. */
  protected override async lockUntilCommit(trx: Transaction<Tables>, key: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
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
    const id = lockId(`accord-lock:${this.lockNamespace}:${key}`);
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

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lockPool?.end();
    await this.db.destroy();
    // Kysely ends the pool only if it ever connected.
    if (!this.pool.ending) await this.pool.end();
  }
}
