// sql-schema declares the app-state tables as the queries see them (Tables) and the one list of
// migrations both dialects run through Kysely's Migrator. A column keeps a time, a flag or a
// JSON document the way its dialect does (columnTypes); the rows read back convert in sql-store.
// Databases made before the Migrator kept their own count (SQLite PRAGMA user_version,
// PostgreSQL accord_migrations): migrations that count already covers are recorded, not re-run.
import { PostgresAdapter, sql, type ColumnDataType, type ColumnType, type Generated, type Kysely, type Migration, Migrator } from "kysely";
import type { AuditChange, AuditEntry, InvitationRecord, InvitationStatus, InvitedProjectAccess, Invitee, ObjectKind, ObjectSettings, PersonalPlan } from "./store.js";

/** Time is written as a Date; it reads back as a Date (PostgreSQL) or epoch milliseconds (SQLite). */
type Time = ColumnType<Date | number, Date, Date>;
/** Flag is written as a boolean; it reads back as a boolean (PostgreSQL) or 0/1 (SQLite). */
type Flag = ColumnType<boolean | number, boolean, boolean>;
/** Document is written as JSON text; it reads back parsed (PostgreSQL json) or as text (SQLite). */
type Document<T> = ColumnType<T | string, string, string>;
type OptionalDocument<T> = ColumnType<T | string | null, string | null, string | null>;

export interface Tables {
  objects: { kind: ObjectKind; id: string; name: string | null; seat_limit: number | null; settings: OptionalDocument<ObjectSettings>; created_at: Time };
  invitations: {
    id: string;
    target_type: InvitationRecord["targetType"];
    target_id: string;
    org_id: string | null;
    invitee_kind: Invitee["kind"];
    invitee_id: string;
    role: string;
    scopes: OptionalDocument<Record<string, string>>;
    projects: OptionalDocument<InvitedProjectAccess[]>;
    holds_seat: Flag;
    status: InvitationStatus;
    invited_by: string;
    responded_by: string | null;
    created_at: Time;
    expires_at: Time;
    updated_at: Time;
  };
  plans: { user_id: string; plan: PersonalPlan; updated_at: Time };
  org_members: { org_id: string; user_id: string; joined_at: Time; email: string | null };
  audit_entries: {
    /** A number (SQLite) or a bigint's text (PostgreSQL). */
    id: Generated<number | string>;
    at: Time;
    principal: string;
    actor: string;
    action: string;
    target: string | null;
    changes: Document<AuditChange[]>;
    zed_token: string | null;
    detail: OptionalDocument<Record<string, unknown>>;
    state: AuditEntry["state"];
  };
  audit_objects: { object: string; entry_id: number | string };
}

/** AnyDb: migrations describe tables as they were then, not the current shape (Tables). */
type AnyDb = Kysely<unknown>;

const isPostgres = (db: AnyDb) => db.getExecutor().adapter instanceof PostgresAdapter;

/** columnTypes is how each dialect keeps a time, a flag, a JSON document and an audit entry's key. */
function columnTypes(db: AnyDb): Record<"time" | "flag" | "document" | "entryKey", ColumnDataType> {
  return isPostgres(db)
    ? { time: "timestamptz", flag: "boolean", document: "jsonb", entryKey: "bigint" }
    : { time: "integer", flag: "integer", document: "text", entryKey: "integer" };
}

/** previousCount is how many migrations the bookkeeping before the Migrator recorded (0 if none). */
async function previousCount(db: AnyDb): Promise<number> {
  if (!isPostgres(db)) {
    const { rows } = await sql<{ user_version: number }>`pragma user_version`.execute(db);
    return rows[0]?.user_version ?? 0;
  }
  const { rows } = await sql<{ present: boolean }>`select to_regclass('accord_migrations') is not null as present`.execute(db);
  if (!rows[0]?.present) return 0;
  const { rows: counted } = await sql<{ version: number }>`select coalesce(max(version), 0) as version from accord_migrations`.execute(db);
  return Number(counted[0]?.version ?? 0);
}

/** numbered is the migration the earlier bookkeeping called version `n`: skipped where it already ran. */
function numbered(n: number, up: (db: AnyDb) => Promise<void>): Migration {
  return { up: async (db) => ((await previousCount(db)) >= n ? undefined : up(db)) };
}

/** MIGRATIONS run in name order, each once per database; append only (never edit a shipped one). */
export const MIGRATIONS: Record<string, Migration> = {
  "0001_objects": numbered(1, async (db) => {
    const type = columnTypes(db);
    await db.schema
      .createTable("objects")
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("name", "text")
      .addColumn("seat_limit", "integer")
      .addColumn("created_at", type.time, (c) => c.notNull())
      .addPrimaryKeyConstraint("objects_pkey", ["kind", "id"])
      .$call((table) => (isPostgres(db) ? table : table.modifyEnd(sql`without rowid`)))
      .execute();
  }),

  "0002_invitations_plans_audit": numbered(2, async (db) => {
    const type = columnTypes(db);
    const postgres = isPostgres(db);
    await db.schema
      .createTable("invitations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("target_type", "text", (c) => c.notNull())
      .addColumn("target_id", "text", (c) => c.notNull())
      .addColumn("org_id", "text")
      .addColumn("invitee_kind", "text", (c) => c.notNull())
      .addColumn("invitee_id", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("scopes", type.document)
      .addColumn("holds_seat", type.flag, (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("invited_by", "text", (c) => c.notNull())
      .addColumn("responded_by", "text")
      .addColumn("created_at", type.time, (c) => c.notNull())
      .addColumn("expires_at", type.time, (c) => c.notNull())
      .addColumn("updated_at", type.time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("invitations_by_target").on("invitations").columns(["target_type", "target_id", "created_at", "id"]).execute();
    await db.schema.createIndex("invitations_by_invitee").on("invitations").columns(["invitee_kind", "invitee_id", "status"]).execute();
    await db.schema.createIndex("invitations_by_org").on("invitations").columns(["org_id", "status"]).execute();
    await db.schema
      .createTable("plans")
      .addColumn("user_id", "text", (c) => c.primaryKey())
      .addColumn("plan", "text", (c) => c.notNull())
      .addColumn("updated_at", type.time, (c) => c.notNull())
      .$call((table) => (postgres ? table : table.modifyEnd(sql`without rowid`)))
      .execute();
    await db.schema
      .createTable("audit_entries")
      .addColumn("id", postgres ? "bigserial" : "integer", (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn("at", type.time, (c) => c.notNull())
      .addColumn("principal", "text", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("target", "text")
      .addColumn("changes", type.document, (c) => c.notNull())
      .addColumn("zed_token", "text")
      .addColumn("detail", type.document)
      .addColumn("state", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("audit_by_actor").on("audit_entries").columns(["actor", "id"]).execute();
    await db.schema.createIndex("audit_by_time").on("audit_entries").column("at").execute();
    await db.schema
      .createTable("audit_objects")
      .addColumn("object", "text", (c) => c.notNull())
      .addColumn("entry_id", type.entryKey, (c) => c.notNull().references("audit_entries.id").onDelete("cascade"))
      .addPrimaryKeyConstraint("audit_objects_pkey", ["object", "entry_id"])
      .$call((table) => (postgres ? table : table.modifyEnd(sql`without rowid`)))
      .execute();
    await db.schema.createIndex("audit_objects_by_entry").on("audit_objects").column("entry_id").execute();
  }),

  // Documents are kept as written (json, not jsonb, which reorders keys), so an audit entry or an
  // invitation reads back, and exports, exactly as from SQLite, whose text column already does.
  "0003_documents_as_written": numbered(3, async (db) => {
    if (!isPostgres(db)) return;
    await sql`alter table audit_entries alter column changes type json using changes::json, alter column detail type json using detail::json`.execute(db);
    await sql`alter table invitations alter column scopes type json using scopes::json`.execute(db);
  }),

  // Rules 13-18: an object's further settings (feature keys, custom roles, default role), the
  // project access an organization invitation carries, and when each member joined (with the
  // e-mail address they proved). Documents are json on PostgreSQL, as migration 3 made them.
  "0004_settings_project_access_members": {
    up: async (db) => {
      const type = columnTypes(db);
      const postgres = isPostgres(db);
      const document = postgres ? "json" : type.document;
      await db.schema.alterTable("objects").addColumn("settings", document).execute();
      await db.schema.alterTable("invitations").addColumn("projects", document).execute();
      await db.schema
        .createTable("org_members")
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.notNull())
        .addColumn("joined_at", type.time, (c) => c.notNull())
        .addColumn("email", "text")
        .addPrimaryKeyConstraint("org_members_pkey", ["org_id", "user_id"])
        .$call((table) => (postgres ? table : table.modifyEnd(sql`without rowid`)))
        .execute();
    },
  },
};

/**
 * migrate brings the database to the newest of `migrations`. On PostgreSQL the Migrator holds an
 * advisory lock and one transaction, so replicas starting together apply each migration once;
 * `schema` is where its bookkeeping tables live. A database that ran a migration this code does
 * not know was upgraded by a newer Accord, and is refused.
 */
export async function migrate(db: Kysely<Tables>, options: { schema?: string; migrations?: Record<string, Migration> } = {}): Promise<void> {
  const migrations = options.migrations ?? MIGRATIONS;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: options.schema });
  const { error } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const unknown = /previously executed migration (\S+) is missing/.exec(String((error as Error).message));
  if (unknown) throw new Error(`the database has migration ${unknown[1]}, newer than this Accord: upgrade Accord`);
  throw error;
}
