// invitationView is an invitation as the API shows it, with the status a client can act on:
// a pending invitation whose time has passed shows as `expired` (it is never stored so).
import { randomBytes } from "node:crypto";
import type { Engine } from "../../engine/engine.js";
import type { InvitationRecord, InvitationState, InvitedProjectAccess } from "../../store/store.js";
import { engineCall, preconditionFailed, type DomainError, type Failure } from "../errors.js";
import { formatInvitee } from "./invitation-invitee.js";
import { ref } from "../model.js";

export interface InvitationView {
  id: string;
  /** `organization:<id>` or `project:<id>`. */
  target: string;
  invitee: string;
  role: string;
  scopes?: Record<string, string>;
  /** Project access granted with the org role on acceptance (rule 14). */
  projects?: InvitedProjectAccess[];
  status: InvitationState;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  updatedAt: string;
  respondedBy?: string;
}

/** InviteOutcome is one invitee's result in a bulk invite: invited, or why not. */
export type InviteOutcome = { invitee: unknown; invitation: InvitationView } | { invitee: unknown; failure: Failure };

/** newInvitationId is random and unguessable (144 bits): knowing it is not a right, only a handle. */
export const newInvitationId = () => `inv_${randomBytes(18).toString("base64url")}`;

/** InvitationTarget is what a new invitation is for, to whom and with what; the rest is pendingInvitation's. */
export type InvitationTarget = Pick<InvitationRecord, "targetType" | "targetId" | "orgId" | "invitee" | "role" | "holdsSeat">;

/** pendingInvitation is a new invitation's record: a fresh id, pending, sent by `invitedBy` at `now`, open for `ttlMs`. */
export function pendingInvitation(target: InvitationTarget, sent: { invitedBy: string; now: Date; ttlMs: number }): InvitationRecord {
  const { now } = sent;
  return {
    id: newInvitationId(),
    ...target,
    status: "pending",
    invitedBy: sent.invitedBy,
    createdAt: now,
    expiresAt: new Date(now.getTime() + sent.ttlMs),
    updatedAt: now,
  };
}

export function stateOf(record: InvitationRecord, now: Date): InvitationState {
  if (record.status === "pending" || record.status === "accepting") return record.expiresAt > now ? "pending" : "expired";
  return record.status;
}

export function invitationView(record: InvitationRecord, now: Date): InvitationView {
  const view: InvitationView = {
    id: record.id,
    target: `${record.targetType}:${record.targetId}`,
    invitee: formatInvitee(record.invitee),
    role: record.role,
    status: stateOf(record, now),
    invitedBy: `user:${record.invitedBy}`,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
  if (record.scopes) view.scopes = record.scopes;
  if (record.projects) view.projects = record.projects;
  if (record.respondedBy) view.respondedBy = `user:${record.respondedBy}`;
  return view;
}

/** requireOpen: only a pending, unexpired invitation can be accepted, declined or revoked (409 otherwise). */
export function requireOpen(record: InvitationRecord, now: Date): void {
  const state = stateOf(record, now);
  if (state !== "pending") throw preconditionFailed(`invitation ${record.id} is ${state}, not pending`);
}

/** changedMeanwhile explains why a conditional update found nothing to change (409). */
export function changedMeanwhile(fresh: InvitationRecord | undefined, now: Date): DomainError {
  if (!fresh) return preconditionFailed("the invitation no longer exists");
  if (fresh.status === "accepting") return preconditionFailed(`invitation ${fresh.id} is being accepted`);
  return preconditionFailed(`invitation ${fresh.id} is ${stateOf(fresh, now)}, not pending`);
}

/**
 * decisionToken is the engine state an app-state-only change (an invitation sent, declined
 * or revoked) was decided at, read from the target itself.
 */
export async function decisionToken(engine: Pick<Engine, "readRelationships">, record: Pick<InvitationRecord, "targetType" | "targetId">): Promise<string> {
  const target = ref(record.targetType, record.targetId);
  const page = await engineCall(() => engine.readRelationships({ resourceType: target.type, resourceId: target.id }, { limit: 1 }));
  return page.zedToken;
}
