// listCustomRoles lists an organization's custom roles with their permissions to its members
// (org view): project managers pick from them when assigning roles.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import type { CustomRoleView } from "./create-custom-role.js";
import { permissionsOf } from "./custom-role-permissions.js";
import { idsOwnedBy, organizationRef, readAll, requireOrganization } from "../organizations/organization-graph.js";
import { pageByKey, type Page, type PageRequest } from "../organizations/organization-paging.js";

export function createListCustomRoles(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getObjects"> }) {
  return {
    async execute(input: { actor: Actor; orgId: string } & PageRequest): Promise<Page<CustomRoleView>> {
      await requireOrganization(deps.engine, input.orgId);
      await requirePermission(deps.engine, input.actor, organizationRef(input.orgId), "view");
      const page = pageByKey(await idsOwnedBy(deps.engine, "role", input.orgId), (id) => id, input);
      const [records, tuples] = await Promise.all([
        deps.store.getObjects("role", page.items),
        Promise.all(page.items.map((id) => readAll(deps.engine, { resourceType: "role", resourceId: id }))),
      ]);
      const items = page.items.map((id, i) => ({ id, organization: input.orgId, name: records.get(id)?.name, permissions: permissionsOf(tuples[i]!) }));
      return { ...page, items };
    },
  };
}
