// updateCustomRole renames a custom role and/or replaces its permission set in one write;
// holders read the role through its perm_* tuples, so every holder's access changes at once.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import type { CustomRoleView } from "./create-custom-role.js";
import { permissionUpdates, permissionsOf, requireCustomRolePermissions } from "./custom-role-permissions.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { organizationOf, readAll } from "../organizations/organization-graph.js";
import { requireCustomRolesAllowed } from "../plans/plan-rules.js";

export function createUpdateCustomRole(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "getObject" | "putObject">; locks: KeyedMutex }) {
  return {
    async execute(input: { actor: Actor; roleId: string; name?: string; permissions?: string[] }): Promise<CustomRoleView & { zedToken: string }> {
      const { engine } = deps;
      const { orgId, zedToken } = await organizationOf(engine, "role", input.roleId);
      await requirePermission(engine, input.actor, ref("role", input.roleId), "manage");
      // Rule 17: without customRoles a role can be deleted, not changed (its holders keep it as it is).
      await requireCustomRolesAllowed(deps.store, orgId, `changing custom role ${input.roleId}`);
      const wanted = input.permissions === undefined ? undefined : requireCustomRolePermissions(input.permissions);
      // Serialized per role: the stored set is diffed, then written.
      return deps.locks.run(`role:${input.roleId}`, async () => {
        const tuples = await readAll(engine, { resourceType: "role", resourceId: input.roleId });
        const permissions = wanted ?? permissionsOf(tuples);
        const updates = permissionUpdates(input.roleId, tuples, permissions);
        const record = await deps.store.getObject("role", input.roleId);
        const name = input.name ?? record?.name;
        const saveName = () => deps.store.putObject({ kind: "role", id: input.roleId, name, createdAt: record?.createdAt ?? new Date() });
        let written = { zedToken };
        if (updates.length > 0) {
          const roleStillThere = { operation: "must_exist" as const, filter: { resourceType: "role", resourceId: input.roleId, relation: "organization" } };
          written = await applyChange(engine, { updates, preconditions: [roleStillThere], then: saveName });
        } else {
          await saveName();
        }
        return { id: input.roleId, organization: orgId, name, permissions, zedToken: written.zedToken };
      });
    },
  };
}
