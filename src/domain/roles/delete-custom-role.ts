// deleteCustomRole removes a custom role and, with it, every role_binding of it: holders lose
// the role's permissions at once (the same cascade as deleting a group), in one atomic write.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { deleteCascade } from "../organizations/organization-cascade.js";
import { organizationOf, readRoleRelationships } from "../organizations/organization-graph.js";

export function createDeleteCustomRole(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "deleteObject">; locks: KeyedMutex }) {
  return {
    async execute(input: { actor: Actor; roleId: string }): Promise<{ removed: number; zedToken: string }> {
      const { engine } = deps;
      await organizationOf(engine, "role", input.roleId);
      await requirePermission(engine, input.actor, ref("role", input.roleId), "manage");
      return deps.locks.run(`role:${input.roleId}`, async () => {
        const { bindings, own } = await readRoleRelationships(engine, input.roleId);
        return deleteCascade(engine, {
          // The role's own tuples go last; until then a failed delete can be retried.
          batches: [bindings, own],
          preconditions: [{ operation: "must_exist", filter: { resourceType: "role", resourceId: input.roleId, relation: "organization" } }],
          then: () => deps.store.deleteObject("role", input.roleId),
        });
      });
    },
  };
}
