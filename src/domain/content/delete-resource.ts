// deleteResource removes a resource and every relationship that names it (its project link
// and all its grants) in one atomic delete. Needs resource `delete` (the project's delete).
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { engineCall } from "../errors.js";
import { ref } from "../model.js";
import { requireResource } from "./resource-project.js";

export function createDeleteResource(deps: { engine: Pick<Engine, "check" | "readRelationships" | "deleteByFilter"> }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; resourceId: string }) {
      await requireResource(engine, input.resourceId);
      await requirePermission(engine, input.actor, ref("resource", input.resourceId), "delete");
      const written = await engineCall(() => engine.deleteByFilter({ resourceType: "resource", resourceId: input.resourceId }));
      return { id: input.resourceId, zedToken: written.zedToken };
    },
  };
}
