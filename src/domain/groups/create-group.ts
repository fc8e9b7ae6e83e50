// createGroup creates a group in an organization (needs manage_groups: members scope full, or
// an admin or owner). Group ids are global: an id taken in any organization is 409.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { DomainError, alreadyExists } from "../errors.js";
import { ref, relationship } from "../model.js";
import { organizationRef, requireOrganization } from "../organizations/organization-graph.js";

export interface GroupView {
  id: string;
  organization: string;
  name?: string;
}

export function createCreateGroup(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "putObject"> }) {
  return {
    async execute(input: { actor: Actor; orgId: string; id: string; name?: string }): Promise<GroupView & { zedToken: string }> {
      await requireOrganization(deps.engine, input.orgId);
      await requirePermission(deps.engine, input.actor, organizationRef(input.orgId), "manage_groups");
      try {
        const written = await applyChange(deps.engine, {
          updates: [{ operation: "touch", relationship: relationship(ref("group", input.id), "organization", organizationRef(input.orgId)) }],
          preconditions: [{ operation: "must_not_exist", filter: { resourceType: "group", resourceId: input.id, relation: "organization" } }],
          then: () => deps.store.putObject({ kind: "group", id: input.id, name: input.name, createdAt: new Date() }),
        });
        return { id: input.id, organization: input.orgId, name: input.name, zedToken: written.zedToken };
      } catch (err) {
        if (err instanceof DomainError && err.failure.kind === "precondition_failed") throw alreadyExists(`group:${input.id} already exists`);
        throw err;
      }
    },
  };
}
