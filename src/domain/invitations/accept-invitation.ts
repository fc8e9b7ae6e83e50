// acceptInvitation: the invitee accepts and the role is granted. Atomic and once only: the
// invitation is first claimed in the store (pending → accepting, a conditional update, so a
// concurrent accept on any replica finds nothing to claim); the grant is written to the engine;
// then the invitation is marked accepted — if that fails the grant is undone, and on any
// failure the claim is released. A claim left by a crashed process is taken over after
// CLAIM_TIMEOUT_MS.
import type { InvitationRecord, Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { notFound, preconditionFailed } from "../errors.js";
import { grantInvitation, type GrantDeps } from "./invitation-grant.js";
import { requireInvitee } from "./invitation-invitee-check.js";
import { changedMeanwhile, invitationView, requireOpen, type InvitationView } from "./invitation-view.js";
import type { KeyedMutex } from "../keyed-mutex.js";

export const CLAIM_TIMEOUT_MS = 60_000;

type Deps = GrantDeps & {
  store: GrantDeps["store"] & Pick<Store, "getInvitation" | "updateInvitation">;
  locks: KeyedMutex;
  now: () => Date;
};

/** lockKey serializes an acceptance with the member changes of its organization or project. */
export const lockKey = (invitation: InvitationRecord) => `${invitation.targetType}:${invitation.targetId}`;

export function createAcceptInvitation(deps: Deps) {
  const { store } = deps;
  return {
    async execute(input: { actor: Actor; invitationId: string }): Promise<{ invitation: InvitationView; zedToken: string }> {
      const invitation = await store.getInvitation(input.invitationId);
      if (!invitation) throw notFound(`invitation ${input.invitationId} does not exist`);
      const grantee = await requireInvitee(deps.engine, input.actor, invitation);
      requireOpen(invitation, deps.now());
      return deps.locks.run(lockKey(invitation), async () => {
        const now = deps.now();
        const claim = { from: ["pending" as const], to: "accepting" as const, at: now, unexpiredAt: now, staleClaimBefore: new Date(now.getTime() - CLAIM_TIMEOUT_MS) };
        const claimed = await store.updateInvitation(invitation.id, claim);
        if (!claimed) throw changedMeanwhile(await store.getInvitation(invitation.id), now);
        let accepted: InvitationRecord | undefined;
        try {
          const written = await grantInvitation(
            deps,
            claimed,
            grantee,
            async () => {
              accepted = await store.updateInvitation(invitation.id, { from: ["accepting"], to: "accepted", at: deps.now(), by: input.actor.userId });
              if (!accepted) throw preconditionFailed(`invitation ${invitation.id} was revoked while it was being accepted`);
            },
            now,
          );
          return { invitation: invitationView(accepted!, deps.now()), zedToken: written.zedToken };
        } catch (err) {
          await store.updateInvitation(invitation.id, { from: ["accepting"], to: "pending", at: now }).catch(() => undefined);
          throw err;
        }
      });
    },
  };
}
