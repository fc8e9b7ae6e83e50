// declineInvitation: the invitee turns the invitation down; it grants nothing, frees its seat,
// and can no longer be accepted. Only a pending, unexpired invitation can be declined (409).
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { auditDraft } from "../audit/audit-context.js";
import { notFound } from "../errors.js";
import { requireInvitee } from "./invitation-invitee-check.js";
import { changedMeanwhile, decisionToken, invitationView, requireOpen, type InvitationView } from "./invitation-view.js";

export function createDeclineInvitation(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getInvitation" | "updateInvitation">; now: () => Date }) {
  return {
    async execute(input: { actor: Actor; invitationId: string }): Promise<{ invitation: InvitationView; zedToken: string }> {
      const invitation = await deps.store.getInvitation(input.invitationId);
      if (!invitation) throw notFound(`invitation ${input.invitationId} does not exist`);
      await requireInvitee(deps.engine, input.actor, invitation);
      const now = deps.now();
      requireOpen(invitation, now);
      const audit = auditDraft({ at: now, detail: { invitation: invitation.id }, objects: [`${invitation.targetType}:${invitation.targetId}`] });
      const declined = await deps.store.updateInvitation(invitation.id, { from: ["pending"], to: "declined", at: now, by: input.actor.userId, unexpiredAt: now }, audit);
      if (!declined) throw changedMeanwhile(await deps.store.getInvitation(invitation.id), now);
      return { invitation: invitationView(declined, now), zedToken: await decisionToken(deps.engine, invitation) };
    },
  };
}
