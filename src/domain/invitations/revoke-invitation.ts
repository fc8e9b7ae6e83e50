// revokeInvitation: anyone who could have sent the invitation withdraws it (DELETE); it grants
// nothing and frees its seat. Revoking wins over an acceptance in flight: that acceptance then
// fails to settle and its grant is undone.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { auditDraft } from "../audit/audit-context.js";
import { notFound } from "../errors.js";
import { requireInviteAuthority } from "./invitation-authority.js";
import { changedMeanwhile, decisionToken, invitationView, requireOpen, type InvitationView } from "./invitation-view.js";

export function createRevokeInvitation(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getInvitation" | "updateInvitation">; now: () => Date }) {
  return {
    async execute(input: { actor: Actor; invitationId: string }): Promise<{ invitation: InvitationView; zedToken: string }> {
      const invitation = await deps.store.getInvitation(input.invitationId);
      if (!invitation) throw notFound(`invitation ${input.invitationId} does not exist`);
      await requireInviteAuthority(deps.engine, input.actor, invitation);
      const now = deps.now();
      requireOpen(invitation, now);
      const audit = auditDraft({ at: now, detail: { invitation: invitation.id }, objects: [`${invitation.targetType}:${invitation.targetId}`] });
      const change = { from: ["pending" as const, "accepting" as const], to: "revoked" as const, at: now, by: input.actor.userId, unexpiredAt: now };
      const revoked = await deps.store.updateInvitation(invitation.id, change, audit);
      if (!revoked) throw changedMeanwhile(await deps.store.getInvitation(invitation.id), now);
      return { invitation: invitationView(revoked, now), zedToken: await decisionToken(deps.engine, invitation) };
    },
  };
}
