// SqlStore is the one implementation of the Store port, over Kysely: the same queries on SQLite
// (SqliteStore, embedded mode) and PostgreSQL (PostgresStore, remote mode), every value bound.
// What differs lives in the dialect's file: how the connection is opened and migrated, and
// lockUntilCommit. Rules that must hold across concurrent writers (one pending invitation per
// invitee, members + pending invitations within the seat limit) are checked in the insert's
// transaction, which lockUntilCommit serializes per organization (PostgreSQL advisory lock;
// SQLite's write lock, taken by every transaction's BEGIN IMMEDIATE, already does).
import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool, Transaction } from "kysely";
import type { Tables } from "./sql-schema.js";
import type {
  AuditDraft,
  AuditEntry,
  AuditQuery,
  InsertInvitationOutcome,
  InvitationChange,
  InvitationGuard,
  InvitationQuery,
  InvitationRecord,
  InvitationTarget,
  Invitee,
  MemberRecord,
  ObjectKind,
  ObjectRecord,
  PersonalPlan,
  Store,
} from "./store.js";

type Queryable = Kysely<Tables>;
type InvitationRow = Selectable<Tables["invitations"]>;
type AuditRow = Selectable<Tables["audit_entries"]>;

/** document parses what SQLite keeps as text; PostgreSQL's json arrives parsed (always an object or array here). */
const document = <T>(value: T | string): T => (typeof value === "string" ? (JSON.parse(value) as T) : value);

/** GET_OBJECTS_BATCH keeps getObjects' lists far below either dialect's limit of bound values. */
const GET_OBJECTS_BATCH = 500;

function objectFrom(row: Selectable<Tables["objects"]>): ObjectRecord {
  const record: ObjectRecord = { kind: row.kind, id: row.id, createdAt: new Date(row.created_at) };
  if (row.name !== null) record.name = row.name;
  if (row.seat_limit !== null) record.seatLimit = row.seat_limit;
  if (row.settings !== null && row.settings !== undefined) record.settings = document(row.settings);
  return record;
}

function invitationFrom(row: InvitationRow): InvitationRecord {
  const record: InvitationRecord = {
    id: row.id,
    targetType: row.target_type,
    targetId: row.target_id,
    invitee: { kind: row.invitee_kind, id: row.invitee_id },
    role: row.role,
    holdsSeat: Boolean(row.holds_seat),
    status: row.status,
    invitedBy: row.invited_by,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    updatedAt: new Date(row.updated_at),
  };
  if (row.org_id !== null) record.orgId = row.org_id;
  if (row.scopes !== null) record.scopes = document(row.scopes);
  if (row.projects !== null && row.projects !== undefined) record.projects = document(row.projects);
  if (row.responded_by !== null) record.respondedBy = row.responded_by;
  return record;
}

function auditFrom(row: AuditRow, objects: string[]): AuditEntry {
  const entry: AuditEntry = {
    id: String(row.id),
    at: new Date(row.at),
    principal: row.principal,
    actor: row.actor,
    action: row.action,
    changes: document(row.changes),
    objects,
    state: row.state,
  };
  if (row.target !== null) entry.target = row.target;
  if (row.zed_token !== null) entry.zedToken = row.zed_token;
  if (row.detail !== null) entry.detail = document(row.detail);
  return entry;
}

type InvitationCondition = ExpressionBuilder<Tables, "invitations">;
/** live: pending, or claimed by an acceptance in progress (which counts as pending everywhere). */
const live = (eb: InvitationCondition) => eb("status", "in", ["pending", "accepting"]);
/** stateCondition is an API state over the stored status and expiry. */
function stateCondition(eb: InvitationCondition, state: InvitationQuery["state"], now: Date): Expression<SqlBool> {
  switch (state) {
    case undefined:
      return eb.and([]);
    case "pending":
      return eb.and([live(eb), eb("expires_at", ">", now)]);
    case "expired":
      return eb.and([live(eb), eb("expires_at", "<=", now)]);
    default:
      return eb("status", "=", state);
  }
}

export abstract class SqlStore implements Store {
  protected constructor(readonly db: Kysely<Tables>) {}

  /** lockUntilCommit serializes transactions naming the same key until this one ends. */
  protected abstract lockUntilCommit(trx: Transaction<Tables>, key: string): Promise<void>;

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async getObject(kind: ObjectKind, id: string): Promise<ObjectRecord | undefined> {
    const row = await this.db.selectFrom("objects").selectAll().where("kind", "=", kind).where("id", "=", id).executeTakeFirst();
    return row ? objectFrom(row) : undefined;
  }

  async getObjects(kind: ObjectKind, ids: string[]): Promise<Map<string, ObjectRecord>> {
    const out = new Map<string, ObjectRecord>();
    for (let start = 0; start < ids.length; start += GET_OBJECTS_BATCH) {
      const batch = ids.slice(start, start + GET_OBJECTS_BATCH);
      const rows = await this.db.selectFrom("objects").selectAll().where("kind", "=", kind).where("id", "in", batch).execute();
      for (const row of rows) out.set(row.id, objectFrom(row));
    }
    return out;
  }

  async putObject(record: ObjectRecord, audit?: AuditDraft): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("objects")
        .values({
          kind: record.kind,
          id: record.id,
          name: record.name ?? null,
          seat_limit: record.seatLimit ?? null,
          settings: record.settings ? JSON.stringify(record.settings) : null,
          created_at: record.createdAt,
        })
        .onConflict((conflict) =>
          conflict
            .columns(["kind", "id"])
            .doUpdateSet((eb) => ({ name: eb.ref("excluded.name"), seat_limit: eb.ref("excluded.seat_limit"), settings: eb.ref("excluded.settings") })),
        )
        .execute();
      if (audit) await insertAudit(trx, audit, "committed");
    });
  }

  async deleteObject(kind: ObjectKind, id: string): Promise<void> {
    await this.db.deleteFrom("objects").where("kind", "=", kind).where("id", "=", id).execute();
  }

  async insertInvitation(record: InvitationRecord, guard: InvitationGuard, audit?: AuditDraft): Promise<InsertInvitationOutcome> {
    return this.db.transaction().execute(async (trx) => {
      // One lock per organization (or personal project): every check below holds until commit.
      const scope = record.orgId !== undefined ? `organization:${record.orgId}` : `${record.targetType}:${record.targetId}`;
      await this.lockUntilCommit(trx, `accord-invitations:${scope}`);
      const duplicate = await trx
        .selectFrom("invitations")
        .select("id")
        .where("target_type", "=", record.targetType)
        .where("target_id", "=", record.targetId)
        .where("invitee_kind", "=", record.invitee.kind)
        .where("invitee_id", "=", record.invitee.id)
        .where(live)
        .where("expires_at", ">", guard.now)
        .limit(1)
        .executeTakeFirst();
      if (duplicate) return "invitation_pending";
      if (record.holdsSeat && guard.seats && record.orgId !== undefined) {
        const pending = await countSeats(trx, record.orgId, guard.now);
        if (guard.seats.members + pending >= guard.seats.seatLimit) return "seat_limit_reached";
      }
      await trx
        .insertInto("invitations")
        .values({
          id: record.id,
          target_type: record.targetType,
          target_id: record.targetId,
          org_id: record.orgId ?? null,
          invitee_kind: record.invitee.kind,
          invitee_id: record.invitee.id,
          role: record.role,
          scopes: record.scopes ? JSON.stringify(record.scopes) : null,
          projects: record.projects ? JSON.stringify(record.projects) : null,
          holds_seat: record.holdsSeat,
          status: record.status,
          invited_by: record.invitedBy,
          responded_by: record.respondedBy ?? null,
          created_at: record.createdAt,
          expires_at: record.expiresAt,
          updated_at: record.updatedAt,
        })
        .execute();
      if (audit) await insertAudit(trx, audit, "committed");
      return "created" as const;
    });
  }

  async getInvitation(id: string): Promise<InvitationRecord | undefined> {
    const row = await this.db.selectFrom("invitations").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? invitationFrom(row) : undefined;
  }

  async listInvitations(query: InvitationQuery): Promise<InvitationRecord[]> {
    const { after } = query;
    const rows = await this.db
      .selectFrom("invitations")
      .selectAll()
      .where("target_type", "=", query.targetType)
      .where("target_id", "=", query.targetId)
      .where((eb) => stateCondition(eb, query.state, query.now))
      .$if(after !== undefined, (q) =>
        q.where((eb) => eb.or([eb("created_at", ">", after!.createdAt), eb.and([eb("created_at", "=", after!.createdAt), eb("id", ">", after!.id)])])),
      )
      .orderBy("created_at")
      .orderBy("id")
      .limit(query.limit)
      .execute();
    return rows.map(invitationFrom);
  }

  async listPendingInvitationsFor(invitees: Invitee[], now: Date, limit: number): Promise<InvitationRecord[]> {
    if (invitees.length === 0) return [];
    const rows = await this.db
      .selectFrom("invitations")
      .selectAll()
      .where((eb) => eb.or(invitees.map((invitee) => eb.and([eb("invitee_kind", "=", invitee.kind), eb("invitee_id", "=", invitee.id)]))))
      .where(live)
      .where("expires_at", ">", now)
      .orderBy("created_at")
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map(invitationFrom);
  }

  async countSeatInvitations(orgId: string, now: Date): Promise<number> {
    return countSeats(this.db, orgId, now);
  }

  async updateInvitation(id: string, change: InvitationChange, audit?: AuditDraft): Promise<InvitationRecord | undefined> {
    const { staleClaimBefore, unexpiredAt } = change;
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable("invitations")
        .set({ status: change.to, updated_at: change.at, ...(change.by !== undefined ? { responded_by: change.by } : {}) })
        .where("id", "=", id)
        .where((eb) => {
          const from = eb("status", "in", change.from);
          if (staleClaimBefore === undefined) return from;
          return eb.or([from, eb.and([eb("status", "=", "accepting"), eb("updated_at", "<", staleClaimBefore)])]);
        })
        .$if(unexpiredAt !== undefined, (q) => q.where("expires_at", ">", unexpiredAt!))
        .returningAll()
        .executeTakeFirst();
      if (row && audit) await insertAudit(trx, audit, "committed");
      return row ? invitationFrom(row) : undefined;
    });
  }

  async endInvitationsOf(orgId: string, userId: string, change: { at: Date; by?: string; targetType?: "organization" | "project" }): Promise<number> {
    const { targetType } = change;
    const result = await this.db
      .updateTable("invitations")
      .set({ status: "revoked", updated_at: change.at, responded_by: change.by ?? null })
      .where("org_id", "=", orgId)
      .where("invitee_kind", "=", "user")
      .where("invitee_id", "=", userId)
      .where(live)
      .$if(targetType !== undefined, (q) => q.where("target_type", "=", targetType!))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async endInvitationsTo(target: InvitationTarget, change: { at: Date; by?: string }): Promise<number> {
    const result = await this.db
      .updateTable("invitations")
      .set({ status: "revoked", updated_at: change.at, responded_by: change.by ?? null })
      // An organization's invitations and its projects' share its org_id.
      .where((eb) =>
        target.type === "organization" ? eb("org_id", "=", target.id) : eb.and([eb("target_type", "=", "project"), eb("target_id", "=", target.id)]),
      )
      .where((eb) => eb.or([eb("status", "=", "accepting"), eb.and([eb("status", "=", "pending"), eb("expires_at", ">", change.at)])]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async putMember(record: MemberRecord): Promise<void> {
    await this.db
      .insertInto("org_members")
      .values({ org_id: record.orgId, user_id: record.userId, joined_at: record.joinedAt, email: record.email ?? null })
      .onConflict((conflict) =>
        conflict.columns(["org_id", "user_id"]).doUpdateSet((eb) => ({ joined_at: eb.ref("excluded.joined_at"), email: eb.ref("excluded.email") })),
      )
      .execute();
  }

  async listMembers(orgId: string): Promise<Map<string, MemberRecord>> {
    const rows = await this.db.selectFrom("org_members").selectAll().where("org_id", "=", orgId).execute();
    const out = new Map<string, MemberRecord>();
    for (const row of rows) {
      const record: MemberRecord = { orgId: row.org_id, userId: row.user_id, joinedAt: new Date(row.joined_at) };
      if (row.email !== null) record.email = row.email;
      out.set(row.user_id, record);
    }
    return out;
  }

  async deleteMembers(orgId: string, userId?: string): Promise<void> {
    await this.db
      .deleteFrom("org_members")
      .where("org_id", "=", orgId)
      .$if(userId !== undefined, (q) => q.where("user_id", "=", userId!))
      .execute();
  }

  async getPlan(userId: string): Promise<PersonalPlan | undefined> {
    const row = await this.db.selectFrom("plans").select("plan").where("user_id", "=", userId).executeTakeFirst();
    return row?.plan;
  }

  async setPlan(userId: string, plan: PersonalPlan, at: Date, audit?: AuditDraft): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("plans")
        .values({ user_id: userId, plan, updated_at: at })
        .onConflict((conflict) => conflict.column("user_id").doUpdateSet((eb) => ({ plan: eb.ref("excluded.plan"), updated_at: eb.ref("excluded.updated_at") })))
        .execute();
      if (audit) await insertAudit(trx, audit, "committed");
    });
  }

  async appendAudit(draft: AuditDraft, state: AuditEntry["state"]): Promise<string> {
    return this.db.transaction().execute((trx) => insertAudit(trx, draft, state));
  }

  async commitAudit(id: string, zedToken: string): Promise<void> {
    await this.db.updateTable("audit_entries").set({ state: "committed", zed_token: zedToken }).where("id", "=", id).execute();
  }

  async discardAudit(id: string): Promise<void> {
    // audit_objects rows go with it (ON DELETE CASCADE).
    await this.db.deleteFrom("audit_entries").where("id", "=", id).where("state", "=", "pending").execute();
  }

  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    const { actor, object, since, until, before } = query;
    const rows = await this.db
      .selectFrom("audit_entries")
      .selectAll()
      .$if(actor !== undefined, (q) => q.where("actor", "=", actor!))
      .$if(object !== undefined, (q) => q.where("id", "in", (eb) => eb.selectFrom("audit_objects").select("entry_id").where("object", "=", object!)))
      .$if(since !== undefined, (q) => q.where("at", ">=", since!))
      .$if(until !== undefined, (q) => q.where("at", "<", until!))
      .$if(before !== undefined, (q) => q.where("id", "<", before!))
      .orderBy("id", "desc")
      .limit(query.limit)
      .execute();
    if (rows.length === 0) return [];
    const named = await this.db
      .selectFrom("audit_objects")
      .selectAll()
      .where("entry_id", "in", rows.map((row) => row.id))
      .orderBy("entry_id")
      .orderBy("object")
      .execute();
    const objects = new Map<string, string[]>();
    for (const { entry_id, object } of named) objects.set(String(entry_id), [...(objects.get(String(entry_id)) ?? []), object]);
    return rows.map((row) => auditFrom(row, objects.get(String(row.id)) ?? []));
  }
}

async function countSeats(db: Queryable, orgId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom("invitations")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("org_id", "=", orgId)
    .where("holds_seat", "=", true)
    .where(live)
    .where("expires_at", ">", now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function insertAudit(trx: Queryable, draft: AuditDraft, state: AuditEntry["state"]): Promise<string> {
  const { id } = await trx
    .insertInto("audit_entries")
    .values({
      at: draft.at,
      principal: draft.principal,
      actor: draft.actor,
      action: draft.action,
      target: draft.target ?? null,
      changes: JSON.stringify(draft.changes),
      zed_token: draft.zedToken ?? null,
      detail: draft.detail ? JSON.stringify(draft.detail) : null,
      state,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const objects = [...new Set(draft.objects)];
  if (objects.length > 0) await trx.insertInto("audit_objects").values(objects.map((object) => ({ object, entry_id: id }))).execute();
  return String(id);
}
