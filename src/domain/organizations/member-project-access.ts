// memberProjectAccess (rule 14): a member's access to an organization's projects as one step of
// a larger write — each listed project gets a role and exactly the listed per-project scopes.
// Shared by organization invitations (checked when sent, written when accepted, with the org
// membership in the same atomic write) and PUT /v1/orgs/:org/members/:user/access.
import type { Engine, Precondition, RelationshipUpdate } from "../../engine/engine.js";
import type { InvitedProjectAccess, Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { hasPermission, requirePermission } from "../authorize.js";
import { forbidden, invalidRequest, notInOrganization } from "../errors.js";
import type { ScopeLevel } from "../model.js";
import { requireCustomRolesAllowed } from "../plans/plan-rules.js";
import { MANAGER_CANNOT_TOUCH_ADMIN, adminUntouched } from "../projects/grant-project-role.js";
import { liftRemoval } from "../projects/project-footprint.js";
import { readSubjectGrants } from "../projects/project-grants.js";
import { projectStillExists, type ProjectOwner } from "../projects/project-owner.js";
import { formatRole, grantUpdates, parseProjectRole, requireUsableRole, type RoleChoice } from "../projects/project-role.js";
import { isSettingsScope, readSubjectScopes, requireKnownScopes, scopeUpdates, type ProjectScopes } from "../projects/project-scopes.js";
import { orgFeatures } from "./org-features.js";
import { idsOwnedBy, type GraphReader } from "./organization-graph.js";

/** ProjectAccessRequest is one entry of `projects`: a project of the organization, a role, scopes. */
export interface ProjectAccessRequest {
  project: string;
  role: string;
  scopes?: Record<string, ScopeLevel>;
}

/** PlannedAccess is a checked entry: the role to hold and the explicit scopes (the rest follow the role). */
export interface PlannedAccess {
  projectId: string;
  choice: RoleChoice;
  scopes: ProjectScopes;
}

type Reader = Pick<Engine, "check" | "readRelationships">;

/**
 * planProjectAccess checks what a list of project access asks for (422s, nothing read twice):
 * every project is one of the organization's (not_in_organization), named once; every role is
 * one a member can hold there (invalid_role; custom roles need customRoles, 403 plan_required);
 * every scope is a settings scope or a feature key of the organization (invalid_scope).
 */
export async function planProjectAccess(
  deps: { engine: Reader; store: Pick<Store, "getObject"> },
  orgId: string,
  requests: ProjectAccessRequest[],
  options: { field?: string; acceptance?: boolean } = {},
): Promise<PlannedAccess[]> {
  // At acceptance the access was decided when the invitation was sent: a custom role stays
  // grantable and a feature key dropped since is simply left out.
  const { field = "projects", acceptance = false } = options;
  const orgProjects = new Set(await idsOwnedBy(deps.engine, "project", orgId));
  const features = await orgFeatures(deps.store, orgId);
  const owner: ProjectOwner = { kind: "organization", id: orgId };
  const seen = new Set<string>();
  const planned: PlannedAccess[] = [];
  for (const [i, request] of requests.entries()) {
    const at = `${field}.${i}`;
    if (!orgProjects.has(request.project)) throw notInOrganization(`project ${request.project} is not a project of organization ${orgId}`, `${at}.project`);
    if (seen.has(request.project)) throw invalidRequest(`${at}.project: project ${request.project} is listed twice`, `${at}.project`);
    seen.add(request.project);
    const choice = parseProjectRole(request.role);
    await requireUsableRole(deps.engine, owner, choice, request.project);
    if (choice.kind === "custom" && !acceptance) await requireCustomRolesAllowed(deps.store, orgId, `granting custom role ${choice.roleId} on project ${request.project}`);
    const asked = acceptance ? Object.fromEntries(Object.entries(request.scopes ?? {}).filter(([scope]) => isSettingsScope(scope) || features.includes(scope))) : (request.scopes ?? {});
    planned.push({ projectId: request.project, choice, scopes: requireKnownScopes(asked, features, `${at}.scopes`) });
  }
  return planned;
}

/**
 * requireProjectGrantAuthority: the actor may grant the role there as PUT members would let them
 * — manage_members, and manage_admins to grant admin or to change an admin (rule 3) — 403 otherwise.
 * `currentRoles` are the roles the member holds there now (none for an invitee).
 */
export async function requireProjectGrantAuthority(engine: Reader, actor: Actor, access: PlannedAccess, currentRoles: string[] = []): Promise<{ mayManageAdmins: boolean }> {
  const project = { type: "project", id: access.projectId };
  await requirePermission(engine, actor, project, "manage_members", `user:${actor.userId} lacks manage_members on project ${access.projectId}, listed in the access`);
  const mayManageAdmins = await hasPermission(engine, project, "manage_admins", actor.userId);
  const touchesAdmin = formatRole(access.choice) === "admin" || currentRoles.includes("admin");
  if (touchesAdmin && !mayManageAdmins) throw forbidden(`${MANAGER_CANNOT_TOUCH_ADMIN} (project ${access.projectId})`);
  return { mayManageAdmins };
}

/**
 * projectAccessChange is the write that gives a user exactly `access` on one project: the role
 * (the others go; a role already held is left as it is, expiry included), the explicit scopes
 * (the others go), and the end of a removal from the project (rule 15). It lands only while the
 * project exists and, unless `guardAdmin` is off, while the user has not become its admin.
 */
export async function projectAccessChange(
  engine: GraphReader,
  input: { orgId: string; userId: string; access: PlannedAccess; guardAdmin: boolean },
): Promise<{ updates: RelationshipUpdate[]; preconditions: Precondition[]; roles: string[] }> {
  const { projectId, choice } = input.access;
  const subject = { type: "user", id: input.userId };
  const [grants, scopes, lift] = await Promise.all([
    readSubjectGrants(engine, projectId, subject),
    readSubjectScopes(engine, projectId, subject),
    liftRemoval(engine, projectId, { type: "user", id: input.userId }),
  ]);
  const role = formatRole(choice);
  const keep = grants.some((g) => g.role === role);
  const updates: RelationshipUpdate[] = [
    ...grants.filter((g) => g.role !== role).map((g): RelationshipUpdate => ({ operation: "delete", relationship: g.relationship })),
    ...(keep ? [] : grantUpdates(projectId, choice, subject)),
    ...scopeUpdates(projectId, subject, scopes.relationships, input.access.scopes),
    ...lift,
  ];
  const preconditions = [projectStillExists(projectId, { kind: "organization", id: input.orgId }), ...(input.guardAdmin ? [adminUntouched(projectId, { type: "user", id: input.userId })] : [])];
  return { updates, preconditions, roles: grants.map((g) => g.role) };
}

/** storedAccess is how an invitation keeps its project access (role names and scopes as given). */
export const storedAccess = (planned: PlannedAccess[]): InvitedProjectAccess[] =>
  planned.map((p) => ({ project: p.projectId, role: formatRole(p.choice), ...(Object.keys(p.scopes).length > 0 ? { scopes: p.scopes } : {}) }));
