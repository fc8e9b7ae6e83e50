// createProjectInvitations sends invitations to a project (rule 8) with a built-in or custom
// role: users (by id), e-mail addresses, or groups. The sender needs what granting the role
// directly needs. Rules 4 and 5 hold per invitee: on an organization's project a user must
// already be an org member (422 not_org_member; an e-mail address cannot show that, so it is
// refused too) and groups are for organization projects only (422 groups_not_allowed). A
// personal project takes invitations only when its owner is on the scale plan (rule 10).
import type { InvitationRecord } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { alreadyMember, notOrgMember } from "../errors.js";
import type { InvitationDeps } from "./create-org-invitations.js";
import { isPersonalOwner, prepareProjectGrant } from "../projects/grant-project-role.js";
import { requireProjectInviteAuthority } from "./invitation-authority.js";
import { eachInvitee, insertInvitation } from "./invitation-insert.js";
import { memberSubjectOf, parseInvitee } from "./invitation-invitee.js";
import { decisionToken, pendingInvitation, type InviteOutcome } from "./invitation-view.js";
import { requireInvitingPlan } from "../plans/personal-plan.js";
import { requireCustomRolesAllowed } from "../plans/plan-rules.js";
import { formatRole, parseProjectRole, requireUsableRole } from "../projects/project-role.js";
import { formatMember } from "../projects/project-subject.js";

export function createCreateProjectInvitations(deps: InvitationDeps) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; projectId: string; invitees: unknown[]; role: string }): Promise<{ results: InviteOutcome[]; zedToken: string }> {
      const { projectId } = input;
      const choice = parseProjectRole(input.role);
      const owner = await requireProjectInviteAuthority(engine, input.actor, projectId, formatRole(choice));
      if (owner.kind === "user") await requireInvitingPlan(deps.store, owner.id, projectId);
      await requireUsableRole(engine, owner, choice, projectId);
      if (choice.kind === "custom" && owner.kind === "organization") await requireCustomRolesAllowed(deps.store, owner.id, `inviting with custom role ${choice.roleId}`);
      return deps.locks.run(`project:${projectId}`, async () => {
        const now = deps.now();
        const results = await eachInvitee(
          input.invitees,
          async (raw, field): Promise<InvitationRecord> => {
            const invitee = parseInvitee(raw, field);
            const subject = memberSubjectOf(invitee);
            if (!subject) {
              if (owner.kind === "organization") {
                throw notOrgMember(`${invitee.id} cannot be shown to be a member of organization ${owner.id}: invite them to the organization first, then to the project by user id`);
              }
            } else {
              const { current } = await prepareProjectGrant(engine, { projectId, owner, subject, choice });
              if (current.length > 0 || isPersonalOwner(owner, subject)) throw alreadyMember(`${formatMember(subject)} already holds a role on project ${projectId}`);
            }
            const record = pendingInvitation(
              { targetType: "project", targetId: projectId, invitee, role: formatRole(choice), holdsSeat: false },
              { invitedBy: input.actor.userId, now, ttlMs: deps.invitationTtlMs },
            );
            if (owner.kind === "organization") record.orgId = owner.id;
            return insertInvitation(deps.store, record, { now });
          },
          now,
        );
        return { results, zedToken: await decisionToken(engine, { targetType: "project", targetId: projectId }) };
      });
    },
  };
}
