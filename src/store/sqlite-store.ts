// SqliteStore is the embedded Store: one SQLite file (better-sqlite3, WAL, synchronous=NORMAL,
// each write made durable before its caller goes on by an fsync of the WAL off the event loop —
// src/store/wal-flush.ts) under the data dir, through SqlStore's queries. What is SQLite's own is here: the pragmas,
// binding Dates and booleans (better-sqlite3 binds neither), transactions that take the write
// lock at BEGIN (IMMEDIATE), so a transaction's checks hold until its insert even against
// another process on the file, and a database locked past the busy timeout reported as
// `unavailable`.
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type SqliteDatabase, type SqliteDialectConfig } from "kysely";
import { migrate, type Tables } from "./sql-schema.js";
import { SqlStore } from "./sql-store.js";
import { StoreError } from "./store.js";
import { WalFlush } from "./wal-flush.js";

/** Written: set when a statement changed the file outside a transaction, or committed one. */
interface Written {
  since: boolean;
}

/** bindable turns what better-sqlite3 cannot bind into what the columns keep: epoch ms, 0/1. */
const bindable = (values: readonly unknown[]) => values.map((v) => (v instanceof Date ? v.getTime() : typeof v === "boolean" ? Number(v) : v));

function reported<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") throw new StoreError("unavailable", `app-state store unavailable: ${(err as Error).message}`, { cause: err });
    throw err;
  }
}

/**
 * sqliteDatabase is the file as Kysely's SQLite driver uses it, with values made bindable and
 * errors reported; a statement that leaves a change committed (an autocommit write, a COMMIT)
 * marks `written`, so the change is flushed before the connection's user goes on.
 */
function sqliteDatabase(file: Database.Database, written: Written): SqliteDatabase {
  return {
    close: () => file.close(),
    prepare(text) {
      const statement = reported(() => file.prepare(text));
      // (SQLite counts COMMIT as read-only: it writes nothing itself.)
      const writes = !statement.readonly || /^\s*(commit|end)\b/i.test(text);
      const ran = <T>(result: T): T => {
        if (writes && !file.inTransaction) written.since = true;
        return result;
      };
      return {
        reader: statement.reader,
        all: (values) => ran(reported(() => statement.all(bindable(values)))),
        run: (values) => ran(reported(() => statement.run(bindable(values)))),
        iterate: (values) => ran(reported(() => statement.iterate(bindable(values)))),
      };
    },
  };
}

interface DurableDialectConfig extends SqliteDialectConfig {
  written: Written;
  flush: WalFlush;
}

class ImmediateTransactionsDriver extends SqliteDriver {
  constructor(private readonly durable: DurableDialectConfig) {
    super(durable);
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
  // The connection is handed on first (the next query need not wait for the disk), then the
  // caller waits until what it committed is on disk.
  override async releaseConnection(): Promise<void> {
    const written = this.durable.written.since;
    this.durable.written.since = false;
    await super.releaseConnection();
    if (!written) return;
    try {
      await this.durable.flush.flush();
    } catch (err) {
      throw new StoreError("unavailable", `app-state store unavailable: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** TransactionalMigrations: SQLite's DDL is transactional, so the Migrator runs each batch in one (IMMEDIATE) transaction. */
class TransactionalMigrations extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly config: DurableDialectConfig) {
    super(config);
  }
  override createDriver() {
    return new ImmediateTransactionsDriver(this.config);
  }
  override createAdapter() {
    return new TransactionalMigrations();
  }
}

export class SqliteStore extends SqlStore {
  private constructor(
    db: Kysely<Tables>,
    /** The SQLite file itself, for tests that read every row directly. */
    readonly file: Database.Database,
    private readonly unwatch: () => Promise<void>,
  ) {
    super(db);
  }

  /**
   * open opens (or creates) dataDir/accord.db and migrates it; without a dataDir the store lives in
   * memory. `flush` may be shared with the relationship journal, so one fsync round covers both files.
   */
  static async open(dataDir?: string, flush: WalFlush = new WalFlush()): Promise<SqliteStore> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const path = dataDir ? join(dataDir, "accord.db") : undefined;
    const file = new Database(path ?? ":memory:");
    file.pragma("journal_mode = WAL");
    file.pragma("synchronous = NORMAL");
    file.pragma("foreign_keys = ON");
    const unwatch = path ? flush.watch(path) : async () => undefined;
    const written: Written = { since: false };
    const db = new Kysely<Tables>({ dialect: new ImmediateSqliteDialect({ database: sqliteDatabase(file, written), written, flush }) });
    try {
      await migrate(db);
    } catch (err) {
      await db.destroy();
      await unwatch();
      throw err;
    }
    return new SqliteStore(db, file, unwatch);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.unwatch();
  }

  /** lockUntilCommit has nothing to add: every transaction holds the database's write lock from its BEGIN IMMEDIATE. */
  protected override async lockUntilCommit(): Promise<void> {}
}
