// listOrgFeatures returns an organization's feature keys (GET /v1/orgs/:org/features, rule 13)
// to any member: members see the scopes their projects are cut into.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { orgFeatures } from "./org-features.js";
import { organizationRef, requireOrganization } from "./organization-graph.js";

export function createListOrgFeatures(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getObject"> }) {
  return {
    async execute(input: { actor: Actor; orgId: string }): Promise<{ organization: string; features: string[] }> {
      await requireOrganization(deps.engine, input.orgId);
      await requirePermission(deps.engine, input.actor, organizationRef(input.orgId), "view");
      return { organization: input.orgId, features: await orgFeatures(deps.store, input.orgId) };
    },
  };
}
