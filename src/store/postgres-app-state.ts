// postgres-app-state holds invitations, personal plans and the audit log for the PostgresStore.
// Rules that must hold across replicas (one pending invitation per invitee, members + pending
// invitations within the seat limit) are checked in the insert's transaction under an
// advisory lock per organization (or per personal project), so replicas cannot overshoot.
import type pg from "pg";
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

/** POSTGRES_APP_STATE_MIGRATION is appended to the PostgresStore's migrations (version 2). */
export const POSTGRES_APP_STATE_MIGRATION = `
  CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    target_type TEXT NOT NULL, target_id TEXT NOT NULL, org_id TEXT,
    invitee_kind TEXT NOT NULL, invitee_id TEXT NOT NULL,
    role TEXT NOT NULL, scopes JSONB, holds_seat BOOLEAN NOT NULL,
    status TEXT NOT NULL, invited_by TEXT NOT NULL, responded_by TEXT,
    created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX invitations_by_target ON invitations (target_type, target_id, created_at, id);
  CREATE INDEX invitations_by_invitee ON invitations (invitee_kind, invitee_id, status);
  CREATE INDEX invitations_by_org ON invitations (org_id, status);
  CREATE TABLE plans (user_id TEXT PRIMARY KEY, plan TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
  CREATE TABLE audit_entries (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL, principal TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT, changes JSONB NOT NULL, zed_token TEXT, detail JSONB, state TEXT NOT NULL
  );
  CREATE INDEX audit_by_actor ON audit_entries (actor, id);
  CREATE INDEX audit_by_time ON audit_entries (at);
  CREATE TABLE audit_objects (
    object TEXT NOT NULL, entry_id BIGINT NOT NULL REFERENCES audit_entries (id) ON DELETE CASCADE,
    PRIMARY KEY (object, entry_id)
  );
  CREATE INDEX audit_objects_by_entry ON audit_objects (entry_id);
`;

/**
 * POSTGRES_JSON_TEXT_MIGRATION (version 3): JSON documents are kept as written (json, not
 * jsonb, which reorders keys), so an audit entry or an invitation reads back — and exports —
 * exactly as it does from SQLite.
 */
export const POSTGRES_JSON_TEXT_MIGRATION = `
  ALTER TABLE audit_entries ALTER COLUMN changes TYPE JSON USING changes::json, ALTER COLUMN detail TYPE JSON USING detail::json;
  ALTER TABLE invitations ALTER COLUMN scopes TYPE JSON USING scopes::json;
`;

type Queryable = Pick<pg.PoolClient, "query">;

const LIVE = `status IN ('pending', 'accepting')`;
const COUNT_SEATS = `SELECT count(*)::int AS n FROM invitations WHERE org_id = $1 AND holds_seat AND ${LIVE} AND expires_at > $2`;

interface InvitationRow {
  id: string;
  target_type: InvitationRecord["targetType"];
  target_id: string;
  org_id: string | null;
  invitee_kind: Invitee["kind"];
  invitee_id: string;
  role: string;
  scopes: Record<string, string> | null;
  holds_seat: boolean;
  status: InvitationStatus;
  invited_by: string;
  responded_by: string | null;
  created_at: Date;
  expires_at: Date;
  updated_at: Date;
}

function invitationFrom(row: InvitationRow): InvitationRecord {
  const record: InvitationRecord = {
    id: row.id,
    targetType: row.target_type,
    targetId: row.target_id,
    invitee: { kind: row.invitee_kind, id: row.invitee_id },
    role: row.role,
    holdsSeat: row.holds_seat,
    status: row.status,
    invitedBy: row.invited_by,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    updatedAt: new Date(row.updated_at),
  };
  if (row.org_id !== null) record.orgId = row.org_id;
  if (row.scopes !== null) record.scopes = row.scopes;
  if (row.responded_by !== null) record.respondedBy = row.responded_by;
  return record;
}

interface AuditRow {
  id: string;
  at: Date;
  principal: string;
  actor: string;
  action: string;
  target: string | null;
  changes: AuditEntry["changes"];
  zed_token: string | null;
  detail: Record<string, unknown> | null;
  state: AuditEntry["state"];
  objects: string[] | null;
}

function auditFrom(row: AuditRow): AuditEntry {
  const entry: AuditEntry = {
    id: String(row.id),
    at: new Date(row.at),
    principal: row.principal,
    actor: row.actor,
    action: row.action,
    changes: row.changes,
    objects: row.objects ?? [],
    state: row.state,
  };
  if (row.target !== null) entry.target = row.target;
  if (row.zed_token !== null) entry.zedToken = row.zed_token;
  if (row.detail !== null) entry.detail = row.detail;
  return entry;
}

/** PostgresAppState is extended by PostgresStore, which supplies the pool and transactions. */
export abstract class PostgresAppState implements AppStateStore {
  protected abstract query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  abstract transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;

  protected async insertAudit(tx: Queryable, draft: AuditDraft, state: AuditEntry["state"]): Promise<string> {
    const result = await tx.query<{ id: string }>(
      `INSERT INTO audit_entries (at, principal, actor, action, target, changes, zed_token, detail, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        draft.at,
        draft.principal,
        draft.actor,
        draft.action,
        draft.target ?? null,
        JSON.stringify(draft.changes),
        draft.zedToken ?? null,
        draft.detail ? JSON.stringify(draft.detail) : null,
        state,
      ],
    );
    const id = String(result.rows[0]!.id);
    const objects = [...new Set(draft.objects)];
    if (objects.length > 0) {
      await tx.query(`INSERT INTO audit_objects (object, entry_id) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`, [objects, id]);
    }
    return id;
  }

  async insertInvitation(record: InvitationRecord, guard: InvitationGuard, audit?: AuditDraft): Promise<InsertInvitationOutcome> {
    return this.transaction(async (tx) => {
      // One lock per organization (or personal project): every check below holds until commit.
      const scope = record.orgId !== undefined ? `organization:${record.orgId}` : `${record.targetType}:${record.targetId}`;
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`accord-invitations:${scope}`]);
      const duplicate = await tx.query(
        `SELECT 1 FROM invitations WHERE target_type = $1 AND target_id = $2 AND invitee_kind = $3 AND invitee_id = $4
         AND ${LIVE} AND expires_at > $5 LIMIT 1`,
        [record.targetType, record.targetId, record.invitee.kind, record.invitee.id, guard.now],
      );
      if (duplicate.rowCount) return "invitation_pending";
      if (record.holdsSeat && guard.seats && record.orgId !== undefined) {
        const pending = await this.countSeats(tx, record.orgId, guard.now);
        if (guard.seats.members + pending >= guard.seats.seatLimit) return "seat_limit_reached";
      }
      await tx.query(
        `INSERT INTO invitations (id, target_type, target_id, org_id, invitee_kind, invitee_id, role, scopes, holds_seat,
           status, invited_by, responded_by, created_at, expires_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          record.id,
          record.targetType,
          record.targetId,
          record.orgId ?? null,
          record.invitee.kind,
          record.invitee.id,
          record.role,
          record.scopes ? JSON.stringify(record.scopes) : null,
          record.holdsSeat,
          record.status,
          record.invitedBy,
          record.respondedBy ?? null,
          record.createdAt,
          record.expiresAt,
          record.updatedAt,
        ],
      );
      if (audit) await this.insertAudit(tx, audit, "committed");
      return "created" as const;
    });
  }

  private async countSeats(tx: Queryable, orgId: string, now: Date): Promise<number> {
    const result = await tx.query<{ n: number }>(COUNT_SEATS, [orgId, now]);
    return result.rows[0]!.n;
  }

  async getInvitation(id: string): Promise<InvitationRecord | undefined> {
    const result = await this.query<InvitationRow>(`SELECT * FROM invitations WHERE id = $1`, [id]);
    return result.rows[0] ? invitationFrom(result.rows[0]) : undefined;
  }

  async listInvitations(query: InvitationQuery): Promise<InvitationRecord[]> {
    const params: unknown[] = [query.targetType, query.targetId];
    const next = (value: unknown) => `$${params.push(value)}`;
    let state = "TRUE";
    if (query.state === "pending") state = `${LIVE} AND expires_at > ${next(query.now)}`;
    else if (query.state === "expired") state = `${LIVE} AND expires_at <= ${next(query.now)}`;
    else if (query.state !== undefined) state = `status = ${next(query.state)}`;
    let after = "";
    if (query.after) {
      const at = next(query.after.createdAt);
      after = `AND (created_at > ${at} OR (created_at = ${at} AND id > ${next(query.after.id)}))`;
    }
    const limit = next(query.limit);
    const result = await this.query<InvitationRow>(
      `SELECT * FROM invitations WHERE target_type = $1 AND target_id = $2 AND ${state} ${after} ORDER BY created_at, id LIMIT ${limit}`,
      params,
    );
    return result.rows.map(invitationFrom);
  }

  async listPendingInvitationsFor(invitees: Invitee[], now: Date, limit: number): Promise<InvitationRecord[]> {
    if (invitees.length === 0) return [];
    const result = await this.query<InvitationRow>(
      `SELECT * FROM invitations
       WHERE (invitee_kind, invitee_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
         AND ${LIVE} AND expires_at > $3 ORDER BY created_at, id LIMIT $4`,
      [invitees.map((i) => i.kind), invitees.map((i) => i.id), now, limit],
    );
    return result.rows.map(invitationFrom);
  }

  async countSeatInvitations(orgId: string, now: Date): Promise<number> {
    const result = await this.query<{ n: number }>(COUNT_SEATS, [orgId, now]);
    return result.rows[0]!.n;
  }

  async updateInvitation(id: string, change: InvitationChange, audit?: AuditDraft): Promise<InvitationRecord | undefined> {
    return this.transaction(async (tx) => {
      const result = await tx.query<InvitationRow>(
        `UPDATE invitations SET status = $1, updated_at = $2, responded_by = COALESCE($3, responded_by)
         WHERE id = $4
           AND (status = ANY($5::text[]) OR ($6::timestamptz IS NOT NULL AND status = 'accepting' AND updated_at < $6))
           AND ($7::timestamptz IS NULL OR expires_at > $7)
         RETURNING *`,
        [change.to, change.at, change.by ?? null, id, change.from, change.staleClaimBefore ?? null, change.unexpiredAt ?? null],
      );
      const row = result.rows[0];
      if (row && audit) await this.insertAudit(tx, audit, "committed");
      return row ? invitationFrom(row) : undefined;
    });
  }

  async endInvitationsOf(orgId: string, userId: string, change: { at: Date; by?: string; targetType?: "organization" | "project" }): Promise<number> {
    const result = await this.query(
      `UPDATE invitations SET status = 'revoked', updated_at = $1, responded_by = $2
       WHERE org_id = $3 AND invitee_kind = 'user' AND invitee_id = $4 AND ${LIVE} AND ($5::text IS NULL OR target_type = $5)`,
      [change.at, change.by ?? null, orgId, userId, change.targetType ?? null],
    );
    return result.rowCount ?? 0;
  }

  async endInvitationsTo(target: InvitationTarget, change: { at: Date; by?: string }): Promise<number> {
    // An organization's invitations and its projects' share its org_id.
    const match = target.type === "organization" ? `org_id = $3` : `target_type = 'project' AND target_id = $3`;
    const result = await this.query(
      `UPDATE invitations SET status = 'revoked', updated_at = $1, responded_by = $2
       WHERE ${match} AND (status = 'accepting' OR (status = 'pending' AND expires_at > $1))`,
      [change.at, change.by ?? null, target.id],
    );
    return result.rowCount ?? 0;
  }

  async getPlan(userId: string): Promise<PersonalPlan | undefined> {
    const result = await this.query<{ plan: PersonalPlan }>(`SELECT plan FROM plans WHERE user_id = $1`, [userId]);
    return result.rows[0]?.plan;
  }

  async setPlan(userId: string, plan: PersonalPlan, at: Date, audit?: AuditDraft): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO plans (user_id, plan, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at`,
        [userId, plan, at],
      );
      if (audit) await this.insertAudit(tx, audit, "committed");
    });
  }

  async appendAudit(draft: AuditDraft, state: AuditEntry["state"]): Promise<string> {
    return this.transaction((tx) => this.insertAudit(tx, draft, state));
  }

  async commitAudit(id: string, zedToken: string): Promise<void> {
    await this.query(`UPDATE audit_entries SET state = 'committed', zed_token = $1 WHERE id = $2`, [zedToken, id]);
  }

  async discardAudit(id: string): Promise<void> {
    await this.query(`DELETE FROM audit_entries WHERE id = $1 AND state = 'pending'`, [id]);
  }

  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    const params: unknown[] = [];
    const next = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    if (query.actor !== undefined) where.push(`e.actor = ${next(query.actor)}`);
    if (query.object !== undefined) where.push(`e.id IN (SELECT entry_id FROM audit_objects WHERE object = ${next(query.object)})`);
    if (query.since !== undefined) where.push(`e.at >= ${next(query.since)}`);
    if (query.until !== undefined) where.push(`e.at < ${next(query.until)}`);
    if (query.before !== undefined) where.push(`e.id < ${next(query.before)}`);
    const limit = next(query.limit);
    const result = await this.query<AuditRow>(
      `SELECT e.*, ARRAY(SELECT o.object FROM audit_objects o WHERE o.entry_id = e.id) AS objects
       FROM audit_entries e ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY e.id DESC LIMIT ${limit}`,
      params,
    );
    return result.rows.map(auditFrom);
  }
}
