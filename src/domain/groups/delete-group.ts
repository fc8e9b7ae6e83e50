// deleteGroup removes a group and every relationship naming it: its organization and members,
// and every grant to `group:<id>#member` on projects, resources, role_bindings and other groups.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { deleteCascade } from "../organizations/organization-cascade.js";
import { organizationOf, readGroupRelationships } from "../organizations/organization-graph.js";

export function createDeleteGroup(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "deleteObject">; locks: KeyedMutex }) {
  return {
    async execute(input: { actor: Actor; groupId: string }): Promise<{ removed: number; zedToken: string }> {
      const { engine } = deps;
      const { orgId } = await organizationOf(engine, "group", input.groupId);
      await requirePermission(engine, input.actor, ref("group", input.groupId), "manage");
      return deps.locks.run(`organization:${orgId}`, async () => {
        const { references, own } = await readGroupRelationships(engine, input.groupId);
        const result = await deleteCascade(engine, {
          // The group's own tuples go last; until then a failed delete can be retried.
          batches: [references, own],
          preconditions: [{ operation: "must_exist", filter: { resourceType: "group", resourceId: input.groupId, relation: "organization" } }],
          then: () => deps.store.deleteObject("group", input.groupId),
        });
        // NOTE: a grant to the group made under a project's lock may have landed after the read
        // above. Grants pin the group's organization tuple, so none can land from now on: one
        // more sweep leaves no grant behind for a later group of the same id to inherit.
        const late = (await readGroupRelationships(engine, input.groupId)).references;
        if (late.length === 0) return result;
        const swept = await deleteCascade(engine, { batches: [late] });
        return { removed: result.removed + swept.removed, zedToken: swept.zedToken };
      });
    },
  };
}
