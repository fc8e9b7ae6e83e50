// createOrgInvitations sends invitations to join an organization (rule 8), one per invitee:
// a user id or an e-mail address. The sender needs what adding the member directly needs;
// an invitation grants nothing until accepted. It may carry project access (rule 14): a role and
// per-project scopes on projects of the organization, granted with the membership on acceptance.
// Each pending invitation holds a seat (rule 9),
// counted in the same store transaction as its insert, under the organization's lock.
import type { Engine } from "../../engine/engine.js";
import type { InvitationRecord, Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { alreadyMember, invalidRequest } from "../errors.js";
import { requireOrgInviteAuthority } from "./invitation-authority.js";
import { eachInvitee, insertInvitation } from "./invitation-insert.js";
import { parseInvitee } from "./invitation-invitee.js";
import { pendingInvitation, type InviteOutcome } from "./invitation-view.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { DEFAULT_SCOPES, type OrgRole, type Scopes } from "../model.js";
import { requireScopesWithinActor } from "../organizations/org-member-rules.js";
import { readMemberIds, seatLimitOf } from "../organizations/seat-count.js";
import { planProjectAccess, requireProjectGrantAuthority, storedAccess, type ProjectAccessRequest } from "../organizations/member-project-access.js";

export interface InvitationDeps {
  engine: Pick<Engine, "check" | "readRelationships">;
  store: Pick<Store, "getObject" | "insertInvitation" | "getPlan">;
  locks: KeyedMutex;
  now: () => Date;
  invitationTtlMs: number;
}

export function createCreateOrgInvitations(deps: InvitationDeps) {
  const { engine } = deps;
  return {
    async execute(input: {
      actor: Actor;
      orgId: string;
      invitees: unknown[];
      role: OrgRole;
      scopes?: Partial<Scopes>;
      projects?: ProjectAccessRequest[];
    }): Promise<{ results: InviteOutcome[]; zedToken: string }> {
      return deps.locks.run(`organization:${input.orgId}`, async () => {
        const { zedToken } = await requireOrgInviteAuthority(engine, input.actor, input.orgId, input.role);
        const scopes: Scopes = { ...DEFAULT_SCOPES, ...input.scopes };
        await requireScopesWithinActor(engine, input.actor, input.orgId, DEFAULT_SCOPES, scopes);
        // Rule 14: project access with the invitation — every project the organization's (422),
        // every role one the sender may grant there (403): for all invitees, before any is invited.
        const projects = await planProjectAccess(deps, input.orgId, input.projects ?? []);
        for (const access of projects) await requireProjectGrantAuthority(engine, input.actor, access);
        const [seatLimit, members] = await Promise.all([seatLimitOf(deps.store, input.orgId), readMemberIds(engine, input.orgId)]);
        const now = deps.now();
        const results = await eachInvitee(
          input.invitees,
          async (raw, field): Promise<InvitationRecord> => {
            const invitee = parseInvitee(raw, field);
            if (invitee.kind === "group") throw invalidRequest(`${field}: groups are invited to projects, not to organizations`, field);
            if (invitee.kind === "user" && members.has(invitee.id)) throw alreadyMember(`user:${invitee.id} is already a member of organization:${input.orgId}`);
            const record = pendingInvitation(
              { targetType: "organization", targetId: input.orgId, orgId: input.orgId, invitee, role: input.role, holdsSeat: true },
              { invitedBy: input.actor.userId, now, ttlMs: deps.invitationTtlMs },
            );
            if (input.scopes) record.scopes = input.scopes as Record<string, string>;
            if (projects.length > 0) record.projects = storedAccess(projects);
            const seats = seatLimit === undefined ? undefined : { seatLimit, members: members.size };
            return insertInvitation(deps.store, record, { now, seats });
          },
          now,
        );
        return { results, zedToken };
      });
    },
  };
}
