// createCustomRole defines a named set of project permissions in an organization (rule 7;
// needs manage_roles: members scope full, or an admin or owner), when the organization's plan or
// settings allow custom roles (customRoles, rule 17: else 403 plan_required). Role ids are global.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { permissionUpdates, requireCustomRolePermissions } from "./custom-role-permissions.js";
import { DomainError, alreadyExists } from "../errors.js";
import { ref, relationship, type CustomRolePermission } from "../model.js";
import { organizationRef, requireOrganization } from "../organizations/organization-graph.js";
import { requireCustomRolesAllowed } from "../plans/plan-rules.js";

export interface CustomRoleView {
  id: string;
  organization: string;
  name?: string;
  permissions: CustomRolePermission[];
}

export function createCreateCustomRole(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "putObject" | "getObject"> }) {
  return {
    async execute(input: { actor: Actor; orgId: string; id: string; name: string; permissions: string[] }): Promise<CustomRoleView & { zedToken: string }> {
      await requireOrganization(deps.engine, input.orgId);
      await requirePermission(deps.engine, input.actor, organizationRef(input.orgId), "manage_roles");
      await requireCustomRolesAllowed(deps.store, input.orgId, "creating a custom role");
      const permissions = requireCustomRolePermissions(input.permissions);
      const updates = [
        { operation: "touch" as const, relationship: relationship(ref("role", input.id), "organization", organizationRef(input.orgId)) },
        ...permissionUpdates(input.id, [], permissions),
      ];
      try {
        const written = await applyChange(deps.engine, {
          updates,
          preconditions: [{ operation: "must_not_exist", filter: { resourceType: "role", resourceId: input.id, relation: "organization" } }],
          then: () => deps.store.putObject({ kind: "role", id: input.id, name: input.name, createdAt: new Date() }),
        });
        return { id: input.id, organization: input.orgId, name: input.name, permissions, zedToken: written.zedToken };
      } catch (err) {
        if (err instanceof DomainError && err.failure.kind === "precondition_failed") throw alreadyExists(`role:${input.id} already exists`);
        throw err;
      }
    },
  };
}
