// sqlite-app-state holds invitations, personal plans and the audit log for the SqliteStore.
// Each rule that must hold across concurrent writers (one pending invitation per invitee,
// members + pending invitations within the seat limit) is checked inside the same
// BEGIN IMMEDIATE transaction as the insert, so even two processes on one file cannot overshoot.
import type Database from "better-sqlite3";
import type {
  AppStateStore,
  AuditDraft,
  AuditEntry,
  AuditQuery,
  InsertInvitationOutcome,
  InvitationChange,
  InvitationGuard,
  InvitationQuery,
  InvitationRecord,
  InvitationStatus,
  InvitationTarget,
  Invitee,
  PersonalPlan,
} from "./store.js";

/** APP_STATE_MIGRATION is appended to the SqliteStore's migrations (version 2). */
export const SQLITE_APP_STATE_MIGRATION = `
  CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    target_type TEXT NOT NULL, target_id TEXT NOT NULL, org_id TEXT,
    invitee_kind TEXT NOT NULL, invitee_id TEXT NOT NULL,
    role TEXT NOT NULL, scopes TEXT, holds_seat INTEGER NOT NULL,
    status TEXT NOT NULL, invited_by TEXT NOT NULL, responded_by TEXT,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE INDEX invitations_by_target ON invitations (target_type, target_id, created_at, id);
  CREATE INDEX invitations_by_invitee ON invitations (invitee_kind, invitee_id, status);
  CREATE INDEX invitations_by_org ON invitations (org_id, status);
  CREATE TABLE plans (user_id TEXT PRIMARY KEY, plan TEXT NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE audit_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL, principal TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT, changes TEXT NOT NULL, zed_token TEXT, detail TEXT, state TEXT NOT NULL
  );
  CREATE INDEX audit_by_actor ON audit_entries (actor, id);
  CREATE INDEX audit_by_time ON audit_entries (at);
  CREATE TABLE audit_objects (object TEXT NOT NULL, entry_id INTEGER NOT NULL REFERENCES audit_entries (id) ON DELETE CASCADE, PRIMARY KEY (object, entry_id)) WITHOUT ROWID;
  CREATE INDEX audit_objects_by_entry ON audit_objects (entry_id);
`;

const LIVE = `status IN ('pending', 'accepting')`;

interface InvitationRow {
  id: string;
  target_type: InvitationRecord["targetType"];
  target_id: string;
  org_id: string | null;
  invitee_kind: Invitee["kind"];
  invitee_id: string;
  role: string;
  scopes: string | null;
  holds_seat: number;
  status: InvitationStatus;
  invited_by: string;
  responded_by: string | null;
  created_at: number;
  expires_at: number;
  updated_at: number;
}

function invitationFrom(row: InvitationRow): InvitationRecord {
  const record: InvitationRecord = {
    id: row.id,
    targetType: row.target_type,
    targetId: row.target_id,
    invitee: { kind: row.invitee_kind, id: row.invitee_id },
    role: row.role,
    holdsSeat: row.holds_seat === 1,
    status: row.status,
    invitedBy: row.invited_by,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    updatedAt: new Date(row.updated_at),
  };
  if (row.org_id !== null) record.orgId = row.org_id;
  if (row.scopes !== null) record.scopes = JSON.parse(row.scopes) as Record<string, string>;
  if (row.responded_by !== null) record.respondedBy = row.responded_by;
  return record;
}

interface AuditRow {
  id: number;
  at: number;
  principal: string;
  actor: string;
  action: string;
  target: string | null;
  changes: string;
  zed_token: string | null;
  detail: string | null;
  state: AuditEntry["state"];
  objects: string | null;
}

function auditFrom(row: AuditRow): AuditEntry {
  const entry: AuditEntry = {
    id: String(row.id),
    at: new Date(row.at),
    principal: row.principal,
    actor: row.actor,
    action: row.action,
    changes: JSON.parse(row.changes) as AuditEntry["changes"],
    objects: row.objects ? (JSON.parse(row.objects) as string[]) : [],
    state: row.state,
  };
  if (row.target !== null) entry.target = row.target;
  if (row.zed_token !== null) entry.zedToken = row.zed_token;
  if (row.detail !== null) entry.detail = JSON.parse(row.detail) as Record<string, unknown>;
  return entry;
}

/** stateCondition turns an API state into SQL over the stored status and expiry (`?` = now). */
function stateCondition(state: InvitationQuery["state"]): { sql: string; usesNow: boolean } {
  switch (state) {
    case undefined:
      return { sql: "1 = 1", usesNow: false };
    case "pending":
      return { sql: `${LIVE} AND expires_at > ?`, usesNow: true };
    case "expired":
      return { sql: `${LIVE} AND expires_at <= ?`, usesNow: true };
    default:
      return { sql: `status = '${state}'`, usesNow: false };
  }
}

export class SqliteAppState implements AppStateStore {
  constructor(protected readonly db: Database.Database) {}

  protected insertAudit(draft: AuditDraft, state: AuditEntry["state"]): string {
    const result = this.db
      .prepare(
        `INSERT INTO audit_entries (at, principal, actor, action, target, changes, zed_token, detail, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        draft.at.getTime(),
        draft.principal,
        draft.actor,
        draft.action,
        draft.target ?? null,
        JSON.stringify(draft.changes),
        draft.zedToken ?? null,
        draft.detail ? JSON.stringify(draft.detail) : null,
        state,
      );
    const id = Number(result.lastInsertRowid);
    const object = this.db.prepare(`INSERT OR IGNORE INTO audit_objects (object, entry_id) VALUES (?, ?)`);
    for (const name of new Set(draft.objects)) object.run(name, id);
    return String(id);
  }

  async insertInvitation(record: InvitationRecord, guard: InvitationGuard, audit?: AuditDraft): Promise<InsertInvitationOutcome> {
    const now = guard.now.getTime();
    const insert = this.db.transaction((): InsertInvitationOutcome => {
      const duplicate = this.db
        .prepare(
          `SELECT 1 FROM invitations WHERE target_type = ? AND target_id = ? AND invitee_kind = ? AND invitee_id = ?
           AND ${LIVE} AND expires_at > ? LIMIT 1`,
        )
        .get(record.targetType, record.targetId, record.invitee.kind, record.invitee.id, now);
      if (duplicate) return "invitation_pending";
      if (record.holdsSeat && guard.seats && record.orgId !== undefined) {
        const pending = this.countSeats(record.orgId, now);
        if (guard.seats.members + pending >= guard.seats.seatLimit) return "seat_limit_reached";
      }
      this.db
        .prepare(
          `INSERT INTO invitations (id, target_type, target_id, org_id, invitee_kind, invitee_id, role, scopes, holds_seat,
             status, invited_by, responded_by, created_at, expires_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          record.id,
          record.targetType,
          record.targetId,
          record.orgId ?? null,
          record.invitee.kind,
          record.invitee.id,
          record.role,
          record.scopes ? JSON.stringify(record.scopes) : null,
          record.holdsSeat ? 1 : 0,
          record.status,
          record.invitedBy,
          record.respondedBy ?? null,
          record.createdAt.getTime(),
          record.expiresAt.getTime(),
          record.updatedAt.getTime(),
        );
      if (audit) this.insertAudit(audit, "committed");
      return "created";
    });
    // IMMEDIATE takes the write lock before the reads, so the checks hold until the insert.
    return insert.immediate();
  }

  private countSeats(orgId: string, now: number): number {
    const row = this.db
      .prepare(`SELECT count(*) AS n FROM invitations WHERE org_id = ? AND holds_seat = 1 AND ${LIVE} AND expires_at > ?`)
      .get(orgId, now) as { n: number };
    return row.n;
  }

  async getInvitation(id: string): Promise<InvitationRecord | undefined> {
    const row = this.db.prepare(`SELECT * FROM invitations WHERE id = ?`).get(id) as InvitationRow | undefined;
    return row ? invitationFrom(row) : undefined;
  }

  async listInvitations(query: InvitationQuery): Promise<InvitationRecord[]> {
    const state = stateCondition(query.state);
    const params: unknown[] = [query.targetType, query.targetId];
    if (state.usesNow) params.push(query.now.getTime());
    let after = "";
    if (query.after) {
      after = `AND (created_at > ? OR (created_at = ? AND id > ?))`;
      params.push(query.after.createdAt.getTime(), query.after.createdAt.getTime(), query.after.id);
    }
    params.push(query.limit);
    const rows = this.db
      .prepare(`SELECT * FROM invitations WHERE target_type = ? AND target_id = ? AND ${state.sql} ${after} ORDER BY created_at, id LIMIT ?`)
      .all(...params) as InvitationRow[];
    return rows.map(invitationFrom);
  }

  async listPendingInvitationsFor(invitees: Invitee[], now: Date, limit: number): Promise<InvitationRecord[]> {
    if (invitees.length === 0) return [];
    const match = invitees.map(() => `(invitee_kind = ? AND invitee_id = ?)`).join(" OR ");
    const rows = this.db
      .prepare(`SELECT * FROM invitations WHERE (${match}) AND ${LIVE} AND expires_at > ? ORDER BY created_at, id LIMIT ?`)
      .all(...invitees.flatMap((i) => [i.kind, i.id]), now.getTime(), limit) as InvitationRow[];
    return rows.map(invitationFrom);
  }

  async countSeatInvitations(orgId: string, now: Date): Promise<number> {
    return this.countSeats(orgId, now.getTime());
  }

  async updateInvitation(id: string, change: InvitationChange, audit?: AuditDraft): Promise<InvitationRecord | undefined> {
    const update = this.db.transaction((): InvitationRecord | undefined => {
      const statuses = change.from.map(() => "?").join(", ");
      const row = this.db
        .prepare(
          `UPDATE invitations SET status = ?, updated_at = ?, responded_by = COALESCE(?, responded_by)
           WHERE id = ?
             AND (status IN (${statuses}) OR (? IS NOT NULL AND status = 'accepting' AND updated_at < ?))
             AND (? IS NULL OR expires_at > ?)
           RETURNING *`,
        )
        .get(
          change.to,
          change.at.getTime(),
          change.by ?? null,
          id,
          ...change.from,
          change.staleClaimBefore?.getTime() ?? null,
          change.staleClaimBefore?.getTime() ?? null,
          change.unexpiredAt?.getTime() ?? null,
          change.unexpiredAt?.getTime() ?? null,
        ) as InvitationRow | undefined;
      if (row && audit) this.insertAudit(audit, "committed");
      return row ? invitationFrom(row) : undefined;
    });
    return update.immediate();
  }

  async endInvitationsOf(orgId: string, userId: string, change: { at: Date; by?: string; targetType?: "organization" | "project" }): Promise<number> {
    const result = this.db
      .prepare(
        `UPDATE invitations SET status = 'revoked', updated_at = ?, responded_by = ?
         WHERE org_id = ? AND invitee_kind = 'user' AND invitee_id = ? AND ${LIVE} AND (? IS NULL OR target_type = ?)`,
      )
      .run(change.at.getTime(), change.by ?? null, orgId, userId, change.targetType ?? null, change.targetType ?? null);
    return result.changes;
  }

  async endInvitationsTo(target: InvitationTarget, change: { at: Date; by?: string }): Promise<number> {
    // An organization's invitations and its projects' share its org_id.
    const match = target.type === "organization" ? `org_id = ?` : `target_type = 'project' AND target_id = ?`;
    const result = this.db
      .prepare(
        `UPDATE invitations SET status = 'revoked', updated_at = ?, responded_by = ?
         WHERE ${match} AND (status = 'accepting' OR (status = 'pending' AND expires_at > ?))`,
      )
      .run(change.at.getTime(), change.by ?? null, target.id, change.at.getTime());
    return result.changes;
  }

  async getPlan(userId: string): Promise<PersonalPlan | undefined> {
    const row = this.db.prepare(`SELECT plan FROM plans WHERE user_id = ?`).get(userId) as { plan: PersonalPlan } | undefined;
    return row?.plan;
  }

  async setPlan(userId: string, plan: PersonalPlan, at: Date, audit?: AuditDraft): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(`INSERT INTO plans (user_id, plan, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at`)
        .run(userId, plan, at.getTime());
      if (audit) this.insertAudit(audit, "committed");
    })();
  }

  async appendAudit(draft: AuditDraft, state: AuditEntry["state"]): Promise<string> {
    return this.db.transaction(() => this.insertAudit(draft, state))();
  }

  async commitAudit(id: string, zedToken: string): Promise<void> {
    this.db.prepare(`UPDATE audit_entries SET state = 'committed', zed_token = ? WHERE id = ?`).run(zedToken, Number(id));
  }

  async discardAudit(id: string): Promise<void> {
    this.db.prepare(`DELETE FROM audit_entries WHERE id = ? AND state = 'pending'`).run(Number(id));
  }

  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.actor !== undefined) (where.push(`e.actor = ?`), params.push(query.actor));
    if (query.object !== undefined) (where.push(`e.id IN (SELECT entry_id FROM audit_objects WHERE object = ?)`), params.push(query.object));
    if (query.since !== undefined) (where.push(`e.at >= ?`), params.push(query.since.getTime()));
    if (query.until !== undefined) (where.push(`e.at < ?`), params.push(query.until.getTime()));
    if (query.before !== undefined) (where.push(`e.id < ?`), params.push(Number(query.before)));
    params.push(query.limit);
    const rows = this.db
      .prepare(
        `SELECT e.*, (SELECT json_group_array(object) FROM audit_objects o WHERE o.entry_id = e.id) AS objects
         FROM audit_entries e ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY e.id DESC LIMIT ?`,
      )
      .all(...params) as AuditRow[];
    return rows.map(auditFrom);
  }
}
