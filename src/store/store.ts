// Store is the port for app state that SpiceDB does not hold: names and settings of product
// objects, invitations, personal plans and the audit log. Structure —who
// belongs where— lives in the engine only. One implementation (sql-store.ts) satisfies it on
// two dialects: SQLite (embedded, under ACCORD_DATA_DIR) and PostgreSQL (remote mode).

/**
 * StoreError is a failure a store reports in its own terms; the domain maps it to its errors
 * (domain/errors.ts). `unavailable`: the database cannot be reached or is busy now, nothing was
 * done, and the same call may succeed later.
 */
export class StoreError extends Error {
  constructor(
    readonly kind: "unavailable",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StoreError";
  }
}

export type ObjectKind = "organization" | "project" | "group" | "role" | "resource" | "workspace" | "folder";

export interface ObjectRecord {
  kind: ObjectKind;
  id: string;
  name?: string;
  /** Organization settings: members plus pending invitations may not exceed it. */
  seatLimit?: number;
  /** Further settings of the object (rules 13, 17, 18); absent keys take their defaults. */
  settings?: ObjectSettings;
  createdAt: Date;
}

/**
 * ObjectSettings are the settings an object keeps beside its name: an organization's feature
 * keys and whether it may use custom roles; a project's default role for members added without one.
 */
export interface ObjectSettings {
  /** Organization: its feature keys (rule 13), in the order they were set. */
  features?: string[];
  /** Organization: whether its plan or settings allow custom roles (rule 17); true when absent. */
  customRoles?: boolean;
  /** Project: the role of a member added without one (rule 18); `editor` when absent. */
  defaultRole?: string;
}

/** MemberRecord is what app state knows of an organization member beyond the engine (rule 16). */
export interface MemberRecord {
  orgId: string;
  userId: string;
  /** When they joined: created the organization, accepted an invitation, or were added. */
  joinedAt: Date;
  /** The lower-case address they proved by accepting an e-mail invitation. */
  email?: string;
}

export interface Store extends AppStateStore {
  getObject(kind: ObjectKind, id: string): Promise<ObjectRecord | undefined>;
  getObjects(kind: ObjectKind, ids: string[]): Promise<Map<string, ObjectRecord>>;
  /** putObject inserts or replaces the record (with its audit entry, in one transaction). */
  putObject(record: ObjectRecord, audit?: AuditDraft): Promise<void>;
  deleteObject(kind: ObjectKind, id: string): Promise<void>;
  /**
   * runExclusive, where the store is shared by several processes (PostgreSQL), runs work under a
   * lock named by key that every process honours. A store of one process leaves it out.
   */
  runExclusive?<T>(key: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// ---- Invitations (rule 8), personal plans (rule 10) and the audit log ----

/**
 * InvitationStatus is what the store keeps. `accepting` is a claim held while an acceptance
 * writes its grant (so two accepts cannot both grant); it counts as pending everywhere else.
 * `expired` is never stored: it is a pending invitation whose expiresAt has passed.
 */
export type InvitationStatus = "pending" | "accepting" | "accepted" | "declined" | "revoked";

/** InvitationState is the status the API shows and filters by. */
export type InvitationState = "pending" | "accepted" | "declined" | "revoked" | "expired";

/** Invitee names who may accept: a user id, a lower-case e-mail address, or a group id. */
export interface Invitee {
  kind: "user" | "email" | "group";
  id: string;
}

export interface InvitationRecord {
  /** Random and unguessable. */
  id: string;
  targetType: "organization" | "project";
  targetId: string;
  /** The organization it belongs to: the target itself, or the owner of an organization's project. */
  orgId?: string;
  invitee: Invitee;
  /** Org role (owner|admin|member) or project role (built-in or `role:<id>`). */
  role: string;
  /** Org scopes to grant with the role (organization invitations). */
  scopes?: Record<string, string>;
  /** Project access granted on acceptance with the org role (organization invitations, rule 14). */
  projects?: InvitedProjectAccess[];
  /** Whether it holds a seat of orgId while pending (organization invitations). */
  holdsSeat: boolean;
  status: InvitationStatus;
  /** User id of the sender. */
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
  updatedAt: Date;
  /** User id of who accepted, declined or revoked it. */
  respondedBy?: string;
}

/** InvitedProjectAccess is one project an organization invitation grants: a role and per-project scopes. */
export interface InvitedProjectAccess {
  project: string;
  /** Built-in project role or `role:<id>`. */
  role: string;
  scopes?: Record<string, string>;
}

/** InvitationTarget names an organization or a project that invitations are to. */
export interface InvitationTarget {
  type: "organization" | "project";
  id: string;
}

export type InsertInvitationOutcome = "created" | "invitation_pending" | "seat_limit_reached";

export interface InvitationGuard {
  /** The time pending invitations are judged at (expired ones count for nothing). */
  now: Date;
  /** When given and the invitation holds a seat: members + pending seat invitations must stay below the limit. */
  seats?: { seatLimit: number; members: number };
}

/** InvitationChange moves one invitation between statuses, only if it is still in a `from` status. */
export interface InvitationChange {
  from: InvitationStatus[];
  to: InvitationStatus;
  at: Date;
  by?: string;
  /** Only while not expired at this time. */
  unexpiredAt?: Date;
  /** Also take over an `accepting` claim last touched before this time (a crashed acceptance). */
  staleClaimBefore?: Date;
}

export interface InvitationQuery {
  targetType: "organization" | "project";
  targetId: string;
  state?: InvitationState;
  now: Date;
  limit: number;
  /** Key of the last invitation of the previous page. */
  after?: { createdAt: Date; id: string };
}

export type PersonalPlan = "starter" | "scale";

/** AuditChange is one relationship change, in SpiceDB's string form. */
export interface AuditChange {
  operation: "touch" | "create" | "delete";
  relationship: string;
  caveat?: { name: string; context?: Record<string, unknown> };
  expiresAt?: string;
}

/** AuditDraft is an audit entry before the store numbers it. */
export interface AuditDraft {
  at: Date;
  /** Who called: `key:<name>` or `user:<id>` (a JWT). */
  principal: string;
  /** On whose behalf: `user:<id>` (X-Actor or the JWT's user), else the principal. */
  actor: string;
  /** What was done, e.g. `PUT /v1/orgs/:org/members/:user`. */
  action: string;
  /** The object acted on, e.g. `organization:acme`. */
  target?: string;
  changes: AuditChange[];
  zedToken?: string;
  /** Facts beyond relationships (an invitation's id and invitee, a plan, a schema hash). */
  detail?: Record<string, unknown>;
  /** Every object the entry names (target, changes' resources and subjects), for filtering. */
  objects: string[];
}

/**
 * AuditEntry is a stored entry. `committed`: the change happened, with this token.
 * `pending`: recorded before its engine write, which had not been confirmed (in flight, or
 * the process stopped): the change may or may not have happened.
 */
export interface AuditEntry extends AuditDraft {
  id: string;
  state: "pending" | "committed";
}

export interface AuditQuery {
  actor?: string;
  object?: string;
  since?: Date;
  until?: Date;
  /** Entries older than this id (the previous page's last). */
  before?: string;
  limit: number;
}

/** AppStateStore is the part of the Store that holds invitations, member records, plans and the audit log. */
export interface AppStateStore {
  /** insertInvitation inserts unless a pending one names the same target and invitee, or the seats are taken (checked in the same transaction). */
  insertInvitation(record: InvitationRecord, guard: InvitationGuard, audit?: AuditDraft): Promise<InsertInvitationOutcome>;
  getInvitation(id: string): Promise<InvitationRecord | undefined>;
  /** listInvitations pages a target's invitations by (createdAt, id). */
  listInvitations(query: InvitationQuery): Promise<InvitationRecord[]>;
  /** listPendingInvitationsFor lists pending, unexpired invitations naming any of these invitees. */
  listPendingInvitationsFor(invitees: Invitee[], now: Date, limit: number): Promise<InvitationRecord[]>;
  /** countSeatInvitations counts an organization's pending, unexpired invitations that hold a seat. */
  countSeatInvitations(orgId: string, now: Date): Promise<number>;
  /** updateInvitation applies the change if the invitation is in a `from` status; returns the updated record or undefined. */
  updateInvitation(id: string, change: InvitationChange, audit?: AuditDraft): Promise<InvitationRecord | undefined>;
  /** endInvitationsOf revokes a user's pending invitations in an organization (and its projects); returns how many. */
  endInvitationsOf(orgId: string, userId: string, change: { at: Date; by?: string; targetType?: "organization" | "project" }): Promise<number>;
  /**
   * endInvitationsTo revokes the open invitations to a deleted organization (and to its projects)
   * or project; returns how many. Expired ones stay as they are (they show as expired).
   */
  endInvitationsTo(target: InvitationTarget, change: { at: Date; by?: string }): Promise<number>;
  /** putMember records (or replaces) when a user joined an organization and the e-mail they proved. */
  putMember(record: MemberRecord): Promise<void>;
  /** listMembers returns an organization's member records by user id. */
  listMembers(orgId: string): Promise<Map<string, MemberRecord>>;
  /** deleteMembers forgets one member's record, or every record of the organization. */
  deleteMembers(orgId: string, userId?: string): Promise<void>;
  getPlan(userId: string): Promise<PersonalPlan | undefined>;
  setPlan(userId: string, plan: PersonalPlan, at: Date, audit?: AuditDraft): Promise<void>;
  /** appendAudit stores an entry and returns its id. */
  appendAudit(draft: AuditDraft, state: "pending" | "committed"): Promise<string>;
  /** commitAudit marks a pending entry done, with the token of its write. */
  commitAudit(id: string, zedToken: string): Promise<void>;
  /** discardAudit removes a pending entry whose write failed. */
  discardAudit(id: string): Promise<void>;
  /** listAudit returns entries newest first. */
  listAudit(query: AuditQuery): Promise<AuditEntry[]>;
}
