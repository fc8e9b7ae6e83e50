// listReceivedInvitations lists the actor's own pending invitations: those naming their user
// id, and those naming their verified e-mail address (so an invitee can find what to accept).
import type { Invitee, Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { invitationView, type InvitationView } from "./invitation-view.js";

const MAX = 1000;

export function createListReceivedInvitations(deps: { store: Pick<Store, "listPendingInvitationsFor">; now: () => Date }) {
  return {
    async execute(input: { actor: Actor }): Promise<{ invitations: InvitationView[] }> {
      const invitees: Invitee[] = [{ kind: "user", id: input.actor.userId }];
      if (input.actor.email) invitees.push({ kind: "email", id: input.actor.email });
      const now = deps.now();
      const rows = await deps.store.listPendingInvitationsFor(invitees, now, MAX);
      return { invitations: rows.map((r) => invitationView(r, now)) };
    },
  };
}
