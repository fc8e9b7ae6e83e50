// removeOrgMember removes a user from an organization with the cascade of rule 6: their org
// role and scopes, their direct membership of the org's groups, their roles, custom-role
// holdings, per-project scopes and removal marks (rule 15) on the org's projects and their
// grants on those projects' workspaces, folders and resources (rule 12) — in one
// atomic write, so the removal takes effect at once and leaves nothing stale behind — and
// their pending invitations to the organization and its projects end with it (revoked).
// A user may also remove themselves (leave), except the last owner.
import type { Engine, Precondition, Relationship } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { notFound } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { parseBindingId } from "../model.js";
import { requireOtherOwner, roleFilter } from "./org-member-rules.js";
import { deleteCascade } from "./organization-cascade.js";
import { idsOwnedBy, organizationRef, readAll, readMembership, readOne, requireOrganization, type GraphReader } from "./organization-graph.js";

/** CONTENT_TYPES are the content objects of rule 12 a user may hold grants on. */
const CONTENT_TYPES = ["resource", "folder", "workspace"] as const;

/**
 * readOrgGrants gathers a user's tuples on the org's groups, projects (roles, scopes, removal
 * marks), role_bindings, project features and content (resources, folders, workspaces).
 */
async function readOrgGrants(engine: GraphReader, orgId: string, userId: string): Promise<Relationship[][]> {
  const user = { type: "user", id: userId };
  const [groupIds, projectIds] = await Promise.all([idsOwnedBy(engine, "group", orgId), idsOwnedBy(engine, "project", orgId)]);
  const groups = new Set(groupIds);
  const projects = new Set(projectIds);
  const [inGroups, onProjects, holdings, onFeatures, ...onContent] = await Promise.all([
    readAll(engine, { resourceType: "group", relation: "direct_member", subject: user }),
    readAll(engine, { resourceType: "project", subject: user }),
    readAll(engine, { resourceType: "role_binding", relation: "holder", subject: user }),
    readAll(engine, { resourceType: "project_feature", subject: user }),
    ...CONTENT_TYPES.map((resourceType) => readAll(engine, { resourceType, subject: user })),
  ]);
  // Content belongs to the org when its project does; one read per object granted.
  const projectOf = new Map<string, string | undefined>();
  const granted = [...new Set(onContent.flat().map((r) => `${r.resource.type}:${r.resource.id}`))];
  await Promise.all(
    granted.map(async (key) => {
      const [resourceType, resourceId] = key.split(":") as [string, string];
      const found = await readOne(engine, { resourceType, resourceId, relation: "project" });
      projectOf.set(key, found.relationship?.subject.id);
    }),
  );
  const inOrgProject = (projectId: string | undefined) => projectId !== undefined && projects.has(projectId);
  return [
    ...onContent.map((rels) => rels.filter((r) => inOrgProject(projectOf.get(`${r.resource.type}:${r.resource.id}`)))),
    holdings.filter((r) => inOrgProject(parseBindingId(r.resource.id).projectId)),
    onFeatures.filter((r) => inOrgProject(parseBindingId(r.resource.id).projectId)),
    onProjects.filter((r) => projects.has(r.resource.id)),
    inGroups.filter((r) => groups.has(r.resource.id)),
  ];
}

export function createRemoveOrgMember(deps: {
  engine: Pick<Engine, "check" | "readRelationships" | "write">;
  store: Pick<Store, "endInvitationsOf" | "deleteMembers">;
  locks: KeyedMutex;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return {
    async execute(input: { actor: Actor; orgId: string; userId: string }): Promise<{ user: string; removed: number; zedToken: string }> {
      const { engine } = deps;
      return deps.locks.run(`organization:${input.orgId}`, async () => {
        await requireOrganization(engine, input.orgId);
        const org = organizationRef(input.orgId);
        const leaving = input.actor.userId === input.userId;
        if (!leaving) await requirePermission(engine, input.actor, org, "manage_members");
        const member = await readMembership(engine, input.orgId, input.userId);
        if (!member.role) throw notFound(`user:${input.userId} is not a member of organization:${input.orgId}`);
        if (!leaving && member.role === "admin") await requirePermission(engine, input.actor, org, "manage_admins", "removing an admin needs manage_admins");
        if (!leaving && member.role === "owner") await requirePermission(engine, input.actor, org, "manage_owners", "removing an owner needs manage_owners (owners only)");

        const preconditions: Precondition[] = [{ operation: "must_exist", filter: roleFilter(input.orgId, member.role, input.userId) }];
        if (member.role === "owner") preconditions.push(await requireOtherOwner(engine, input.orgId, input.userId));
        const grants = await readOrgGrants(engine, input.orgId, input.userId);
        // The org tuples go last: if a huge cascade is chunked, the member can be removed again.
        // Rule 6: their pending invitations there end with the removal (undone with it if it fails).
        const then = async () => {
          await deps.store.endInvitationsOf(input.orgId, input.userId, { at: now(), by: input.actor.userId });
          await deps.store.deleteMembers(input.orgId, input.userId);
        };
        const result = await deleteCascade(engine, { batches: [...grants, member.relationships], preconditions, then });
        // NOTE: a grant made under another lock (a project's) that passed its membership check
        // before this write may have landed after the read above. Grants pin the org role tuple,
        // so none can land from now on: one more sweep leaves nothing behind (rule 6).
        const late = (await readOrgGrants(engine, input.orgId, input.userId)).flat();
        if (late.length === 0) return { user: input.userId, ...result };
        const swept = await deleteCascade(engine, { batches: [late] });
        return { user: input.userId, removed: result.removed + swept.removed, zedToken: swept.zedToken };
      });
    },
  };
}
