// deleteOrganization removes an organization and everything that cannot outlive it: its
// groups, its custom roles (with every role_binding of them), and its projects with their
// resources, workspaces, folders and feature objects — every relationship naming any of them,
// and their app-state records (owners only).
// Its pending invitations and its projects' end with it (revoked), so none is listed as pending
// or holds a seat of a later organization of the same id.
import type { Engine } from "../../engine/engine.js";
import type { ObjectKind, Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { deleteCascade } from "./organization-cascade.js";
import {
  idsOwnedBy,
  organizationRef,
  readAll,
  readGroupRelationships,
  readProjectRelationships,
  readRoleRelationships,
  requireOrganization,
} from "./organization-graph.js";

export function createDeleteOrganization(deps: {
  engine: Pick<Engine, "check" | "readRelationships" | "write">;
  store: Pick<Store, "deleteObject" | "endInvitationsTo" | "deleteMembers">;
  locks: KeyedMutex;
  now: () => Date;
}) {
  return {
    async execute(input: { actor: Actor; orgId: string }): Promise<{ removed: number; zedToken: string }> {
      return deps.locks.run(`organization:${input.orgId}`, async () => {
        const { engine } = deps;
        await requireOrganization(engine, input.orgId);
        await requirePermission(engine, input.actor, organizationRef(input.orgId), "delete", "only an owner can delete an organization");
        const [projectIds, roleIds, groupIds] = await Promise.all([
          idsOwnedBy(engine, "project", input.orgId),
          idsOwnedBy(engine, "role", input.orgId),
          idsOwnedBy(engine, "group", input.orgId),
        ]);
        const projects = await Promise.all(projectIds.map((id) => readProjectRelationships(engine, id)));
        const roles = await Promise.all(roleIds.map((id) => readRoleRelationships(engine, id)));
        const groups = await Promise.all(groupIds.map((id) => readGroupRelationships(engine, id)));
        const own = await readAll(engine, { resourceType: "organization", resourceId: input.orgId });
        const records: Array<[ObjectKind, string]> = [
          ...projects.flatMap((p) => p.resourceIds.map((id): [ObjectKind, string] => ["resource", id])),
          ...projects.flatMap((p) => p.parts.folder.map((id): [ObjectKind, string] => ["folder", id])),
          ...projects.flatMap((p) => p.parts.workspace.map((id): [ObjectKind, string] => ["workspace", id])),
          ...projectIds.map((id): [ObjectKind, string] => ["project", id]),
          ...roleIds.map((id): [ObjectKind, string] => ["role", id]),
          ...groupIds.map((id): [ObjectKind, string] => ["group", id]),
          ["organization", input.orgId],
        ];
        const deleted = await deleteCascade(engine, {
          // The organization's own tuples go last: until then its owner can retry a failed delete.
          batches: [
            ...projects.map((p) => p.relationships),
            ...roles.flatMap((r) => [r.bindings, r.own]),
            ...groups.flatMap((g) => [g.references, g.own]),
            own,
          ],
          preconditions: [
            { operation: "must_exist", filter: { resourceType: "organization", resourceId: input.orgId, relation: "owner", subject: { type: "user", id: input.actor.userId } } },
          ],
          then: async () => {
            for (const [kind, id] of records) await deps.store.deleteObject(kind, id);
            await deps.store.endInvitationsTo({ type: "organization", id: input.orgId }, { at: deps.now(), by: input.actor.userId });
            await deps.store.deleteMembers(input.orgId);
          },
        });
        // NOTE: a project invitation sent under that project's lock in the same moment may be
        // stored after the invitations were ended; it grants nothing while the project is gone.
        // NOTE: a grant, share or group change made under another lock (a project's, a group's)
        // may have landed between the reads above and the delete. Writes into the organization's
        // objects require their anchors, now gone, so one more sweep leaves nothing behind for a
        // later object of the same id.
        const late = [
          ...(await Promise.all(projectIds.map((id) => readProjectRelationships(engine, id)))).map((p) => p.relationships),
          ...(await Promise.all(roleIds.map((id) => readRoleRelationships(engine, id)))).flatMap((r) => [r.bindings, r.own]),
          ...(await Promise.all(groupIds.map((id) => readGroupRelationships(engine, id)))).flatMap((g) => [g.references, g.own]),
        ];
        if (late.every((batch) => batch.length === 0)) return deleted;
        const swept = await deleteCascade(engine, { batches: late });
        return { removed: deleted.removed + swept.removed, zedToken: swept.zedToken };
      });
    },
  };
}
