// pushContent pushes a folder or resource to every workspace of its project (rule 12): whoever
// sees any workspace of the project sees the item (view only, not comment or edit), and through
// a folder everything inside it. Only project admins may (`push_content`, admin bypass). One
// relationship, `<item>#pushed@project:<its project>`, whatever the number of workspaces: the
// schema's arrow does the rest, so workspaces created later see it too.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { ref, relationship } from "../model.js";
import { contentAnchor, formatContent, requireContent } from "./content-graph.js";

export type PushableRef = { type: "folder" | "resource"; id: string };

/**
 * requirePushRight finds the item's project (404 for an unknown item) and requires the actor's
 * push_content there (403 "only a project admin may <doing>: …"); it returns the project's id.
 */
export async function requirePushRight(engine: Pick<Engine, "check" | "readRelationships">, actor: Actor, item: PushableRef, doing: string): Promise<string> {
  const projectId = await requireContent(engine, item);
  await requirePermission(engine, actor, ref("project", projectId), "push_content", `only a project admin may ${doing}: user:${actor.userId} lacks push_content on project ${projectId}`);
  return projectId;
}

export function createPushContent(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write"> }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; item: PushableRef }) {
      const { item } = input;
      const projectId = await requirePushRight(engine, input.actor, item, "push content to all workspaces");
      const written = await applyChange(engine, {
        updates: [{ operation: "touch", relationship: relationship(ref(item.type, item.id), "pushed", ref("project", projectId)) }],
        preconditions: [contentAnchor(item, projectId)],
      });
      return { item: formatContent(item), project: projectId, pushed: true, zedToken: written.zedToken };
    },
  };
}
