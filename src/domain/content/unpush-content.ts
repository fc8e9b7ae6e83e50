// unpushContent takes back a push (DELETE /v1/{folders|resources}/:id/push): the item is again
// visible only where it lives and to whom it is shared. Project admins only, like the push;
// 404 when the item is not pushed.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { notFound } from "../errors.js";
import { readAll } from "../organizations/organization-graph.js";
import { formatContent } from "./content-graph.js";
import { requirePushRight, type PushableRef } from "./push-content.js";

export function createUnpushContent(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write"> }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; item: PushableRef }) {
      const { item } = input;
      const projectId = await requirePushRight(engine, input.actor, item, "take back a push");
      const pushes = await readAll(engine, { resourceType: item.type, resourceId: item.id, relation: "pushed" });
      if (pushes.length === 0) throw notFound(`${formatContent(item)} is not pushed to all workspaces`);
      const written = await applyChange(engine, { updates: pushes.map((relationship) => ({ operation: "delete" as const, relationship })) });
      return { item: formatContent(item), project: projectId, pushed: false, zedToken: written.zedToken };
    },
  };
}
