// getCustomRole returns one custom role and its permissions to the members of its organization.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import type { CustomRoleView } from "./create-custom-role.js";
import { permissionsOf } from "./custom-role-permissions.js";
import { ref } from "../model.js";
import { organizationOf, readAll } from "../organizations/organization-graph.js";

export function createGetCustomRole(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getObject"> }) {
  return {
    async execute(input: { actor: Actor; roleId: string }): Promise<CustomRoleView> {
      const { orgId } = await organizationOf(deps.engine, "role", input.roleId);
      await requirePermission(deps.engine, input.actor, ref("role", input.roleId), "view");
      const tuples = await readAll(deps.engine, { resourceType: "role", resourceId: input.roleId });
      const record = await deps.store.getObject("role", input.roleId);
      return { id: input.roleId, organization: orgId, name: record?.name, permissions: permissionsOf(tuples) };
    },
  };
}
