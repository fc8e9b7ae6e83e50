// RelationshipJournal keeps the truth of embedded mode on disk. SpiceDB's memory datastore
// forgets everything on exit, so every acknowledged write is first committed here (SQLite in
// WAL mode with synchronous=NORMAL, then made durable by `durable()`, an fsync of the WAL on the
// thread pool — see src/store/wal-flush.ts) and replayed into the engine at start. SQLite (better-sqlite3) was chosen over PGlite: synchronous, tiny, one file,
// and its transactions cost microseconds, which matters because writes are serialized.
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Relationship, RelationshipFilter, RelationshipUpdate } from "../engine.js";
import { WalFlush } from "../../store/wal-flush.js";

interface Row {
  resource_type: string;
  resource_id: string;
  relation: string;
  subject_type: string;
  subject_id: string;
  subject_relation: string;
  caveat_name: string | null;
  caveat_context: string | null;
  expires_at: number | null;
}

const MIGRATIONS = [
  `CREATE TABLE relationships (
     resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, relation TEXT NOT NULL,
     subject_type TEXT NOT NULL, subject_id TEXT NOT NULL, subject_relation TEXT NOT NULL,
     caveat_name TEXT, caveat_context TEXT, expires_at INTEGER,
     PRIMARY KEY (resource_type, resource_id, relation, subject_type, subject_id, subject_relation)
   ) WITHOUT ROWID;
   CREATE INDEX relationships_by_subject ON relationships (subject_type, subject_id);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

function toRow(rel: Relationship): Row {
  return {
    resource_type: rel.resource.type,
    resource_id: rel.resource.id,
    relation: rel.relation,
    subject_type: rel.subject.type,
    subject_id: rel.subject.id,
    subject_relation: rel.subject.relation ?? "",
    caveat_name: rel.caveat?.name ?? null,
    caveat_context: rel.caveat?.context ? JSON.stringify(rel.caveat.context) : null,
    expires_at: rel.expiresAt ? rel.expiresAt.getTime() : null,
  };
}

function fromRow(row: Row): Relationship {
  const rel: Relationship = {
    resource: { type: row.resource_type, id: row.resource_id },
    relation: row.relation,
    subject: { type: row.subject_type, id: row.subject_id },
  };
  if (row.subject_relation) rel.subject.relation = row.subject_relation;
  if (row.caveat_name) {
    rel.caveat = { name: row.caveat_name };
    if (row.caveat_context) rel.caveat.context = JSON.parse(row.caveat_context) as Record<string, unknown>;
  }
  if (row.expires_at !== null) rel.expiresAt = new Date(row.expires_at);
  return rel;
}

/** filterClause turns a RelationshipFilter into a SQL WHERE clause with named parameters. */
function filterClause(filter: RelationshipFilter): { sql: string; params: Record<string, string> } {
  const parts: string[] = [];
  const params: Record<string, string> = {};
  const add = (column: string, value: string | undefined) => {
    if (value === undefined || value === "") return;
    parts.push(`${column} = @${column}`);
    params[column] = value;
  };
  add("resource_type", filter.resourceType);
  add("resource_id", filter.resourceId);
  add("relation", filter.relation);
  add("subject_type", filter.subject?.type);
  add("subject_id", filter.subject?.id);
  if (filter.subject?.relation !== undefined) {
    parts.push("subject_relation = @subject_relation");
    params.subject_relation = filter.subject.relation;
  }
  return { sql: parts.length ? parts.join(" AND ") : "1 = 1", params };
}

export class RelationshipJournal {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly get: Database.Statement;
  private readonly referrers: Database.Statement;
  private readonly unwatch: () => Promise<void>;

  /** `flush` may be shared with the app-state store, so one fsync round covers both files. */
  constructor(
    dataDir: string,
    private readonly flush: WalFlush = new WalFlush(),
  ) {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, "relationships.db");
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.unwatch = flush.watch(file);
    this.migrate();
    this.upsert = this.db.prepare(
      `INSERT INTO relationships VALUES (@resource_type, @resource_id, @relation, @subject_type, @subject_id,
         @subject_relation, @caveat_name, @caveat_context, @expires_at)
       ON CONFLICT DO UPDATE SET caveat_name = excluded.caveat_name, caveat_context = excluded.caveat_context,
         expires_at = excluded.expires_at`,
    );
    this.remove = this.db.prepare(
      `DELETE FROM relationships WHERE resource_type = @resource_type AND resource_id = @resource_id
         AND relation = @relation AND subject_type = @subject_type AND subject_id = @subject_id
         AND subject_relation = @subject_relation`,
    );
    this.referrers = this.db.prepare(`SELECT DISTINCT resource_type, resource_id FROM relationships WHERE subject_type = ? AND subject_id = ?`).raw();
    this.get = this.db.prepare(
      `SELECT * FROM relationships WHERE resource_type = @resource_type AND resource_id = @resource_id
         AND relation = @relation AND subject_type = @subject_type AND subject_id = @subject_id
         AND subject_relation = @subject_relation`,
    );
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

  /** durable resolves once every commit made so far is on disk (callers await it before acknowledging). */
  durable(): Promise<void> {
    return this.flush.flush();
  }

  /** apply commits the updates in one transaction (durable after `durable()`). */
  apply(updates: RelationshipUpdate[]): void {
    this.db.transaction(() => {
      for (const update of updates) {
        const row = toRow(update.relationship);
        if (update.operation === "delete") this.remove.run(row);
        else this.upsert.run(row);
      }
    })();
  }

  /** current returns the stored version of each relationship (undefined where absent). */
  current(relationships: Relationship[]): Array<Relationship | undefined> {
    return relationships.map((rel) => {
      const row = this.get.get(toRow(rel)) as Row | undefined;
      return row ? fromRow(row) : undefined;
    });
  }

  /**
   * reaching lists `object` and every object with a relationship naming one of them as its
   * subject, transitively (`type:id` keys): the objects whose permissions can read the object's
   * relationships. Undefined once there are more than `limit`.
   */
  reaching(object: { type: string; id: string }, limit: number): Set<string> | undefined {
    const seen = new Set([`${object.type}:${object.id}`]);
    const queue: Array<[string, string]> = [[object.type, object.id]];
    for (let next = queue.pop(); next; next = queue.pop()) {
      for (const [type, id] of this.referrers.all(next[0], next[1]) as Array<[string, string]>) {
        const key = `${type}:${id}`;
        if (seen.has(key)) continue;
        if (seen.size >= limit) return undefined;
        seen.add(key);
        queue.push([type, id]);
      }
    }
    return seen;
  }

  /** matching lists the stored relationships a filter selects. */
  matching(filter: RelationshipFilter): Relationship[] {
    const { sql, params } = filterClause(filter);
    return (this.db.prepare(`SELECT * FROM relationships WHERE ${sql}`).all(params) as Row[]).map(fromRow);
  }

  deleteMatching(filter: RelationshipFilter): void {
    const { sql, params } = filterClause(filter);
    this.db.prepare(`DELETE FROM relationships WHERE ${sql}`).run(params);
  }

  /** live yields every unexpired relationship, in batches, for replay into the engine. */
  *live(batchSize: number, now = Date.now()): Generator<Relationship[]> {
    const statement = this.db.prepare(`SELECT * FROM relationships WHERE expires_at IS NULL OR expires_at > ?`);
    let batch: Relationship[] = [];
    for (const row of statement.iterate(now) as IterableIterator<Row>) {
      batch.push(fromRow(row));
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }

  /** pruneExpired drops relationships whose expiration has passed (the engine ignores them already). */
  pruneExpired(now = Date.now()): number {
    return this.db.prepare(`DELETE FROM relationships WHERE expires_at IS NOT NULL AND expires_at <= ?`).run(now).changes;
  }

  count(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM relationships`).get() as { n: number }).n;
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(entries: Record<string, string>): void {
    const statement = this.db.prepare(`INSERT INTO meta VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value`);
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(entries)) statement.run(key, value);
    })();
  }

  async close(): Promise<void> {
    await this.unwatch();
    this.db.close();
  }
}
