// getOrganization returns an organization's settings to anyone who can view it (its members).
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import type { OrganizationView } from "./create-organization.js";
import { organizationRef, requireOrganization } from "./organization-graph.js";

export function createGetOrganization(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getObject"> }) {
  return {
    async execute(input: { actor: Actor; orgId: string }): Promise<OrganizationView> {
      await requireOrganization(deps.engine, input.orgId);
      await requirePermission(deps.engine, input.actor, organizationRef(input.orgId), "view");
      const record = await deps.store.getObject("organization", input.orgId);
      return { id: input.orgId, name: record?.name, seatLimit: record?.seatLimit, createdAt: record?.createdAt ?? new Date(0) };
    },
  };
}
