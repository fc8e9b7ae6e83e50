// SqliteStore is the embedded Store: one SQLite file (better-sqlite3, WAL, synchronous=FULL)
// under the data dir, through SqlStore's queries. What is SQLite's own is here: the pragmas,
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

/** sqliteDatabase is the file as Kysely's SQLite driver uses it, with values made bindable and errors reported. */
function sqliteDatabase(file: Database.Database): SqliteDatabase {
  return {
    close: () => file.close(),
    prepare(text) {
      const statement = reported(() => file.prepare(text));
      return {
        reader: statement.reader,
        all: (values) => reported(() => statement.all(bindable(values))),
        run: (values) => reported(() => statement.run(bindable(values))),
        iterate: (values) => reported(() => statement.iterate(bindable(values))),
      };
    },
  };
}

class ImmediateTransactionsDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

/** TransactionalMigrations: SQLite's DDL is transactional, so the Migrator runs each batch in one (IMMEDIATE) transaction. */
class TransactionalMigrations extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
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
  ) {
    super(db);
  }

  /** open opens (or creates) dataDir/accord.db and migrates it; without a dataDir the store lives in memory. */
  static async open(dataDir?: string): Promise<SqliteStore> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const file = new Database(dataDir ? join(dataDir, "accord.db") : ":memory:");
    file.pragma("journal_mode = WAL");
    file.pragma("synchronous = FULL");
    file.pragma("foreign_keys = ON");
    const db = new Kysely<Tables>({ dialect: new ImmediateSqliteDialect({ database: sqliteDatabase(file) }) });
    try {
      await migrate(db);
    } catch (err) {
      await db.destroy();
      throw err;
    }
    return new SqliteStore(db, file);
  }

  /** lockUntilCommit has nothing to add: every transaction holds the database's write lock from its BEGIN IMMEDIATE. */
  protected override async lockUntilCommit(): Promise<void> {}
}
