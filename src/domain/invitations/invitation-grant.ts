// invitationGrant writes what accepting an invitation grants — exactly what PUT members would
// have granted, through the same code (orgMembershipChange, prepareProjectGrant and
// projectGrantChange) — with `settle` (marking the invitation accepted) run inside the same
// unit of work: if settling fails, the grant is undone (applyChange's compensation).
import type { Engine, WriteResult } from "../../engine/engine.js";
import type { InvitationRecord, InvitedProjectAccess, Store } from "../../store/store.js";
import { applyChange } from "../apply-change.js";
import { alreadyMember } from "../errors.js";
import { isPersonalOwner, prepareProjectGrant, projectGrantChange } from "../projects/grant-project-role.js";
import { DEFAULT_SCOPES, type OrgRole, type ScopeLevel, type Scopes } from "../model.js";
import { planProjectAccess, projectAccessChange } from "../organizations/member-project-access.js";
import { idsOwnedBy, readMembership, requireOrganization } from "../organizations/organization-graph.js";
import { requireProject } from "../projects/project-owner.js";
import { parseProjectRole } from "../projects/project-role.js";
import { formatMember, type MemberSubject } from "../projects/project-subject.js";
import { orgMembershipChange } from "../organizations/set-org-member.js";

export interface GrantDeps {
  engine: Pick<Engine, "check" | "readRelationships" | "write">;
  store: Pick<Store, "getObject" | "countSeatInvitations" | "listPendingInvitationsFor" | "putMember">;
}

/**
 * invitedProjectAccess is the write of an invitation's project access for the accepting user,
 * re-read at acceptance: a project deleted since the invitation was sent is left out (the rest is
 * granted); the sender's authority was checked when it was sent.
 */
async function invitedProjectAccess(deps: GrantDeps, orgId: string, userId: string, stored: InvitedProjectAccess[]) {
  const orgProjects = new Set(await idsOwnedBy(deps.engine, "project", orgId));
  const still = stored.filter((p) => orgProjects.has(p.project));
  const planned = await planProjectAccess(deps, orgId, still.map((p) => ({ project: p.project, role: p.role, scopes: p.scopes as Record<string, ScopeLevel> | undefined })), { acceptance: true });
  return Promise.all(planned.map((access) => projectAccessChange(deps.engine, { orgId, userId, access, guardAdmin: false })));
}

/** grantInvitation grants the invitation's role to `grantee` (the accepting user, or the invited group). */
export async function grantInvitation(
  deps: GrantDeps,
  invitation: InvitationRecord,
  grantee: MemberSubject,
  settle: (written: WriteResult) => Promise<void>,
  now: Date,
): Promise<WriteResult> {
  const { engine } = deps;
  if (invitation.targetType === "organization") {
    const orgId = invitation.targetId;
    await requireOrganization(engine, orgId);
    const current = await readMembership(engine, orgId, grantee.id);
    if (current.role) throw alreadyMember(`user:${grantee.id} is already a member of organization:${orgId}`);
    const scopes: Scopes = { ...DEFAULT_SCOPES, ...(invitation.scopes as Partial<Scopes> | undefined) };
    // The pending invitation held this member's seat: accepting needs no new one.
    const change = await orgMembershipChange(deps, { orgId, current, role: invitation.role as OrgRole, scopes, seat: "held", now });
    // Rule 14: the project access it carries lands in the same atomic write as the membership.
    const projects = await invitedProjectAccess(deps, orgId, grantee.id, invitation.projects ?? []);
    const updates = [...change.updates, ...projects.flatMap((p) => p.updates)];
    const preconditions = [...change.preconditions, ...projects.flatMap((p) => p.preconditions)];
    // Rule 16: when they joined, and the e-mail address they proved; recorded before the
    // invitation settles, so a failure of either undoes the grant.
    const email = invitation.invitee.kind === "email" ? { email: invitation.invitee.id } : {};
    const then = async (written: WriteResult) => {
      await deps.store.putMember({ orgId, userId: grantee.id, joinedAt: now, ...email });
      await settle(written);
    };
    return applyChange(engine, { updates, preconditions, then });
  }
  const projectId = invitation.targetId;
  const owner = await requireProject(engine, projectId);
  const choice = parseProjectRole(invitation.role);
  const { current, guard, lift } = await prepareProjectGrant(engine, { projectId, owner, subject: grantee, choice });
  if (current.length > 0 || isPersonalOwner(owner, grantee)) throw alreadyMember(`${formatMember(grantee)} already holds a role on project ${projectId}`);
  // The sender's authority (manage_admins for admin) was checked when the invitation was sent.
  const change = projectGrantChange({ projectId, owner, subject: grantee, choice, current, guardAdmin: false, guard, lift });
  return applyChange(engine, { ...change, then: settle });
}
