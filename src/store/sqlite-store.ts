// SqliteStore is the embedded Store: one SQLite file (better-sqlite3, WAL, synchronous=FULL)
// under the data dir, with versioned migrations recorded in PRAGMA user_version. Invitations,
// plans and the audit log live in SqliteAppState, which it extends.
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SQLITE_APP_STATE_MIGRATION, SqliteAppState } from "./sqlite-app-state.js";
import type { AuditDraft, ObjectKind, ObjectRecord, Store } from "./store.js";

/** MIGRATIONS run in order, each once; append only. */
export const MIGRATIONS: string[] = [
  `CREATE TABLE objects (
     kind TEXT NOT NULL, id TEXT NOT NULL, name TEXT, seat_limit INTEGER, created_at INTEGER NOT NULL,
     PRIMARY KEY (kind, id)
   ) WITHOUT ROWID;`,
  SQLITE_APP_STATE_MIGRATION,
];

interface ObjectRow {
  kind: ObjectKind;
  id: string;
  name: string | null;
  seat_limit: number | null;
  created_at: number;
}

function fromRow(row: ObjectRow): ObjectRecord {
  const record: ObjectRecord = { kind: row.kind, id: row.id, createdAt: new Date(row.created_at) };
  if (row.name !== null) record.name = row.name;
  if (row.seat_limit !== null) record.seatLimit = row.seat_limit;
  return record;
}

function openDatabase(dataDir: string | undefined): Database.Database {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  return new Database(dataDir ? join(dataDir, "accord.db") : ":memory:");
}

export class SqliteStore extends SqliteAppState implements Store {
  override readonly db: Database.Database;

  /** Without a dataDir the store lives in memory (tests of pure logic only). */
  constructor(dataDir?: string) {
    const db = openDatabase(dataDir);
    super(db);
    this.db = db;
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    for (let i = version; i < MIGRATIONS.length; i++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[i]!);
        this.db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  async getObject(kind: ObjectKind, id: string): Promise<ObjectRecord | undefined> {
    const row = this.db.prepare(`SELECT * FROM objects WHERE kind = ? AND id = ?`).get(kind, id) as ObjectRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  async getObjects(kind: ObjectKind, ids: string[]): Promise<Map<string, ObjectRecord>> {
    const out = new Map<string, ObjectRecord>();
    const statement = this.db.prepare(`SELECT * FROM objects WHERE kind = ? AND id = ?`);
    for (const id of ids) {
      const row = statement.get(kind, id) as ObjectRow | undefined;
      if (row) out.set(id, fromRow(row));
    }
    return out;
  }

  async putObject(record: ObjectRecord, audit?: AuditDraft): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO objects (kind, id, name, seat_limit, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, seat_limit = excluded.seat_limit`,
        )
        .run(record.kind, record.id, record.name ?? null, record.seatLimit ?? null, record.createdAt.getTime());
      if (audit) this.insertAudit(audit, "committed");
    })();
  }

  async deleteObject(kind: ObjectKind, id: string): Promise<void> {
    this.db.prepare(`DELETE FROM objects WHERE kind = ? AND id = ?`).run(kind, id);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
