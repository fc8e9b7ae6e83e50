// listContainerAccess: who holds a permission on a workspace or folder and through what (rule 12)
// — a grant on it or on a folder or workspace above it (user or group), a push, or something on
// its project (wrapped as kind "project", as for resources). A user removed from the project
// (rule 15) is never listed. Needs the project's view_members.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { listAccess, projectWrappedVia } from "./access-list.js";
import { requirePermission } from "../authorize.js";
import { ref } from "../model.js";
import { requireContent, type ContainerRef } from "../content/content-graph.js";

const containerVia = (projectId: string) => projectWrappedVia(projectId, ["content_grant", "pushed"]);

export function createListContainerAccess(deps: { engine: Pick<Engine, "check" | "readRelationships" | "lookupSubjects" | "explain"> }) {
  return {
    async execute(input: { actor: Actor; container: ContainerRef; permission: string; limit: number; cursor?: string }) {
      const { container } = input;
      const projectId = await requireContent(deps.engine, container);
      await requirePermission(deps.engine, input.actor, ref("project", projectId), "view_members");
      const query = { resource: ref(container.type, container.id), permission: input.permission, limit: input.limit, cursor: input.cursor };
      const result = await listAccess(deps.engine, query, containerVia(projectId));
      return { [container.type]: container.id, project: projectId, permission: input.permission, ...result };
    },
  };
}
