// listGroups lists an organization's groups to its members (org view): members need them to
// see who a project is shared with.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import type { GroupView } from "./create-group.js";
import { idsOwnedBy, organizationRef, requireOrganization } from "../organizations/organization-graph.js";
import { pageByKey, type Page, type PageRequest } from "../organizations/organization-paging.js";

export function createListGroups(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getObjects"> }) {
  return {
    async execute(input: { actor: Actor; orgId: string } & PageRequest): Promise<Page<GroupView>> {
      await requireOrganization(deps.engine, input.orgId);
      await requirePermission(deps.engine, input.actor, organizationRef(input.orgId), "view");
      const page = pageByKey(await idsOwnedBy(deps.engine, "group", input.orgId), (id) => id, input);
      const records = await deps.store.getObjects("group", page.items);
      return { ...page, items: page.items.map((id) => ({ id, organization: input.orgId, name: records.get(id)?.name })) };
    },
  };
}
