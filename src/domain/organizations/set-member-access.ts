// setMemberAccess sets a member's whole access in one atomic write (PUT
// /v1/orgs/:org/members/:user/access, rule 14; the seed's "Edit permissions"): the org role and
// scopes, a role and exactly the listed per-project scopes on each listed project, and — on every
// other project of the organization — the end of their own access there: the rule 15 footprint
// (role, custom-role holdings, per-project scopes, grants on the project's workspaces, folders and
// resources) and their pending invitations to it. Access through the organization's groups is not
// the member's own and stays (DELETE /v1/projects/:project/members/:subject excludes a user from
// a project, group paths included). Each part needs what it needs alone: PUT org members for the
// org part, PUT project members on each listed project, DELETE project members where access ends
// (403 and nothing written otherwise). A user who is not a member yet is added (seat limit applies).
// Org scopes left out take the defaults, per-project scopes left out follow the role: the call
// describes the whole access.
import type { Engine, Precondition, RelationshipUpdate } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { hasPermission, requirePermission } from "../authorize.js";
import { forbidden, invalidRequest } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { DEFAULT_SCOPES, type OrgRole, type Scopes } from "../model.js";
import { MANAGER_CANNOT_TOUCH_ADMIN, adminUntouched } from "../projects/grant-project-role.js";
import { holdsAnything, readContentIds, readFootprint, type ProjectFootprint } from "../projects/project-footprint.js";
import { revokePendingProjectInvitation } from "../projects/project-invitation-end.js";
import { projectStillExists } from "../projects/project-owner.js";
import { formatRole } from "../projects/project-role.js";
import type { ProjectScopes } from "../projects/project-scopes.js";
import { planProjectAccess, projectAccessChange, requireProjectGrantAuthority, type ProjectAccessRequest } from "./member-project-access.js";
import { requireScopesWithinActor } from "./org-member-rules.js";
import { MAX_WRITE, relationshipKey } from "./organization-cascade.js";
import { idsOwnedBy, organizationRef, readMembership, requireOrganization } from "./organization-graph.js";
import { orgMembershipChange } from "./set-org-member.js";

/** MAX_ACCESS_PROJECTS a single access call may list. */
export const MAX_ACCESS_PROJECTS = 100;

export interface MemberAccessInput {
  actor: Actor;
  orgId: string;
  userId: string;
  role: OrgRole;
  scopes?: Partial<Scopes>;
  projects: ProjectAccessRequest[];
}

export interface MemberAccessView {
  user: string;
  role: OrgRole;
  scopes: Scopes;
  projects: Array<{ project: string; role: string; scopes: ProjectScopes }>;
  /** The projects where the member's own access ended. */
  removedFrom: string[];
  zedToken: string;
}

type Deps = {
  engine: Pick<Engine, "check" | "readRelationships" | "write">;
  store: Pick<Store, "getObject" | "countSeatInvitations" | "listPendingInvitationsFor" | "endInvitationsOf" | "updateInvitation" | "putMember">;
  locks: KeyedMutex;
  now: () => Date;
};

export function createSetMemberAccess(deps: Deps) {
  const { engine, store } = deps;
  return {
    async execute(input: MemberAccessInput): Promise<MemberAccessView> {
      const { actor, orgId, userId } = input;
      // Serialized per organization, like every member change: last owner, seats, one role.
      return deps.locks.run(`organization:${orgId}`, async () => {
        await requireOrganization(engine, orgId);
        const org = organizationRef(orgId);
        await requirePermission(engine, actor, org, "manage_members");
        const current = await readMembership(engine, orgId, userId);
        const roles = new Set([current.role, input.role]);
        if (roles.has("admin")) await requirePermission(engine, actor, org, "manage_admins", "granting, changing or removing an admin needs manage_admins");
        if (roles.has("owner")) await requirePermission(engine, actor, org, "manage_owners", "granting, changing or removing an owner needs manage_owners (owners only)");
        const scopes: Scopes = { ...DEFAULT_SCOPES, ...input.scopes };
        await requireScopesWithinActor(engine, actor, orgId, current.role ? current.scopes : DEFAULT_SCOPES, scopes);

        // The projects listed: checked (422) before any authority (403), then each project's write.
        const planned = await planProjectAccess(deps, orgId, input.projects);
        const updates: RelationshipUpdate[] = [];
        const preconditions: Precondition[] = [];
        for (const access of planned) {
          const held = await projectAccessChange(engine, { orgId, userId, access, guardAdmin: false });
          if (held.updates.length === 0) continue; // as it is: nothing to be allowed to do
          const { mayManageAdmins } = await requireProjectGrantAuthority(engine, actor, access, held.roles);
          updates.push(...held.updates);
          preconditions.push(...held.preconditions, ...(mayManageAdmins ? [] : [adminUntouched(access.projectId, { type: "user", id: userId })]));
        }

        // Every other project of the organization: the member's own access there ends.
        const listed = new Set(planned.map((p) => p.projectId));
        const others = (await idsOwnedBy(engine, "project", orgId)).filter((id) => !listed.has(id));
        const removedFrom: string[] = [];
        for (const projectId of others) {
          const footprint = await readFootprint(engine, projectId, await readContentIds(engine, projectId), { type: "user", id: userId });
          if (!holdsAnything(footprint)) continue;
          const mayManageAdmins = await requireRemovalAuthority(engine, actor, projectId, footprint);
          updates.push(...footprintDeletes(footprint));
          preconditions.push(projectStillExists(projectId, { kind: "organization", id: orgId }), ...(mayManageAdmins ? [] : [adminUntouched(projectId, { type: "user", id: userId })]));
          removedFrom.push(projectId);
        }

        const at = deps.now();
        const membership = await orgMembershipChange(deps, { orgId, current, role: input.role, scopes, seat: "check", now: at });
        updates.push(...membership.updates);
        preconditions.push(...membership.preconditions);
        if (updates.length > MAX_WRITE) {
          throw invalidRequest(`this access change needs ${updates.length} relationship updates, more than one atomic write takes (${MAX_WRITE}): list fewer projects and change the rest in a second call`, "projects");
        }
        // App state in the same unit of work (undone with the write if it fails): a new member's
        // joining and superseded org invitation; the pending invitations to projects left out.
        const then = async () => {
          if (!current.role) {
            await store.putMember({ orgId, userId, joinedAt: at });
            await store.endInvitationsOf(orgId, userId, { at, by: actor.userId, targetType: "organization" });
          }
          for (const projectId of removedFrom) await revokePendingProjectInvitation(store, { projectId, subject: { type: "user", id: userId }, at, by: actor.userId });
        };
        const written = updates.length > 0 ? await applyChange(engine, { updates, preconditions, then }) : { zedToken: (await requireOrganization(engine, orgId)).zedToken };
        return {
          user: userId,
          role: input.role,
          scopes,
          projects: planned.map((p) => ({ project: p.projectId, role: formatRole(p.choice), scopes: p.scopes })),
          removedFrom,
          zedToken: written.zedToken,
        };
      });
    },
  };
}

/** requireRemovalAuthority: ending a member's access to a project needs what removing them there needs (rule 3 included). */
async function requireRemovalAuthority(engine: Pick<Engine, "check">, actor: Actor, projectId: string, footprint: ProjectFootprint): Promise<boolean> {
  const project = { type: "project", id: projectId };
  await requirePermission(engine, actor, project, "manage_members", `user:${actor.userId} lacks manage_members on project ${projectId}, where the access would end`);
  const mayManageAdmins = await hasPermission(engine, project, "manage_admins", actor.userId);
  if (footprint.roles.some((g) => g.role === "admin") && !mayManageAdmins) throw forbidden(`${MANAGER_CANNOT_TOUCH_ADMIN} (project ${projectId})`);
  return mayManageAdmins;
}

/** footprintDeletes deletes what a footprint holds (rule 15's removal, without the exclusion). */
function footprintDeletes(footprint: ProjectFootprint): RelationshipUpdate[] {
  const seen = new Set<string>();
  return [...footprint.content, ...footprint.scopes, ...footprint.roles.map((g) => g.relationship)]
    .filter((r) => !seen.has(relationshipKey(r)) && Boolean(seen.add(relationshipKey(r))))
    .map((relationship): RelationshipUpdate => ({ operation: "delete", relationship }));
}
