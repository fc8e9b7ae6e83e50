// listResourceAccess: who holds a resource permission and through what — a grant on the
// resource itself, a grant on a folder or workspace above it or a push (rule 12), or something
// on its project (wrapped as kind "project"). Needs the project's view_members.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { listAccess, projectWrappedVia } from "./access-list.js";
import { requirePermission } from "../authorize.js";
import { ref } from "../model.js";
import { requireResource } from "../content/resource-project.js";

/** RESOURCE_PERMISSIONS are the permissions of schema.zed's resource definition. */
export const RESOURCE_PERMISSIONS = ["view", "comment", "edit", "delete", "manage", "manage_access"] as const;

const resourceVia = (projectId: string) => projectWrappedVia(projectId, ["resource_grant", "content_grant", "pushed"]);

export function createListResourceAccess(deps: { engine: Pick<Engine, "check" | "readRelationships" | "lookupSubjects" | "explain"> }) {
  return {
    async execute(input: { actor: Actor; resourceId: string; permission: string; limit: number; cursor?: string }) {
      const projectId = await requireResource(deps.engine, input.resourceId);
      await requirePermission(deps.engine, input.actor, ref("project", projectId), "view_members");
      const query = { resource: ref("resource", input.resourceId), permission: input.permission, limit: input.limit, cursor: input.cursor };
      const result = await listAccess(deps.engine, query, resourceVia(projectId));
      return { resource: input.resourceId, project: projectId, permission: input.permission, ...result };
    },
  };
}
