// invitationAuthority: who may send (and so revoke) an invitation — exactly who may add that
// member directly. Organization: manage_members, plus manage_admins for an admin and
// manage_owners for an owner (rule 3). Project: manage_members, plus manage_admins for admin.
import type { Engine } from "../../engine/engine.js";
import type { InvitationRecord } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { MANAGER_CANNOT_TOUCH_ADMIN } from "../projects/grant-project-role.js";
import { ref } from "../model.js";
import { organizationRef, requireOrganization } from "../organizations/organization-graph.js";
import { requireProject, type ProjectOwner } from "../projects/project-owner.js";

type Reader = Pick<Engine, "check" | "readRelationships">;

/** requireOrgInviteAuthority throws 404 for an unknown organization and 403 for an actor who may not add this role. */
export async function requireOrgInviteAuthority(engine: Reader, actor: Actor, orgId: string, role: string): Promise<{ zedToken: string }> {
  const found = await requireOrganization(engine, orgId);
  const org = organizationRef(orgId);
  await requirePermission(engine, actor, org, "manage_members");
  if (role === "admin") await requirePermission(engine, actor, org, "manage_admins", "inviting an admin needs manage_admins");
  if (role === "owner") await requirePermission(engine, actor, org, "manage_owners", "inviting an owner needs manage_owners (owners only)");
  return found;
}

/** requireProjectInviteAuthority throws 404 for an unknown project and 403 for an actor who may not grant this role. */
export async function requireProjectInviteAuthority(engine: Reader, actor: Actor, projectId: string, role: string): Promise<ProjectOwner> {
  const owner = await requireProject(engine, projectId);
  const project = ref("project", projectId);
  await requirePermission(engine, actor, project, "manage_members");
  if (role === "admin") await requirePermission(engine, actor, project, "manage_admins", MANAGER_CANNOT_TOUCH_ADMIN);
  return owner;
}

/** requireInviteAuthority checks the authority an invitation needed when it was sent (to revoke it). */
export async function requireInviteAuthority(engine: Reader, actor: Actor, record: InvitationRecord): Promise<void> {
  if (record.targetType === "organization") await requireOrgInviteAuthority(engine, actor, record.targetId, record.role);
  else await requireProjectInviteAuthority(engine, actor, record.targetId, record.role);
}
