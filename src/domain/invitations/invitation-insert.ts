// invitationInsert is what the bulk invite use-cases share: the per-invitee loop that records
// each invitee's outcome (one bad invitee never fails the others) and the conditional insert
// with its audit entry, written in the same store transaction.
import type { InvitationGuard, InvitationRecord, Store } from "../../store/store.js";
import { auditDraft } from "../audit/audit-context.js";
import { DomainError, invitationPending, seatLimitReached } from "../errors.js";
import { formatInvitee, inviteeObject } from "./invitation-invitee.js";
import { invitationView, type InviteOutcome } from "./invitation-view.js";

/**
 * eachInvitee runs `invite` for every invitee in order (so seats go to the first ones) and
 * turns a DomainError into that invitee's outcome; anything else fails the request.
 */
export async function eachInvitee(invitees: unknown[], invite: (raw: unknown, field: string) => Promise<InvitationRecord>, now: Date): Promise<InviteOutcome[]> {
  const outcomes: InviteOutcome[] = [];
  for (const [i, raw] of invitees.entries()) {
    try {
      outcomes.push({ invitee: raw, invitation: invitationView(await invite(raw, `invitees.${i}`), now) });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      outcomes.push({ invitee: raw, failure: err.failure });
    }
  }
  return outcomes;
}

/** insertInvitation stores the invitation unless one is pending for that invitee (409) or the seats are taken (409). */
export async function insertInvitation(store: Pick<Store, "insertInvitation">, record: InvitationRecord, guard: InvitationGuard): Promise<InvitationRecord> {
  const audit = auditDraft({
    at: guard.now,
    target: `${record.targetType}:${record.targetId}`,
    detail: { invitation: record.id, invitee: formatInvitee(record.invitee), role: record.role, expiresAt: record.expiresAt.toISOString() },
    objects: [inviteeObject(record.invitee), `invitation:${record.id}`],
  });
  const outcome = await store.insertInvitation(record, guard, audit);
  if (outcome === "invitation_pending") {
    throw invitationPending(`${formatInvitee(record.invitee)} already has a pending invitation to ${record.targetType}:${record.targetId}`);
  }
  if (outcome === "seat_limit_reached") {
    throw seatLimitReached(`organization:${record.orgId} has no free seat: members plus pending invitations would exceed its seat limit`);
  }
  return record;
}
