// listProjectAccess: who holds a project permission and through what (direct role, group,
// custom role, organization bypass, personal owner). Needs view_members on the project.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { listAccess } from "./access-list.js";
import { requirePermission } from "../authorize.js";
import { ref } from "../model.js";
import { requireProject } from "../projects/project-owner.js";

export function createListProjectAccess(deps: { engine: Pick<Engine, "check" | "readRelationships" | "lookupSubjects" | "explain"> }) {
  return {
    async execute(input: { actor: Actor; projectId: string; permission: string; limit: number; cursor?: string }) {
      const project = ref("project", input.projectId);
      await requireProject(deps.engine, input.projectId);
      await requirePermission(deps.engine, input.actor, project, "view_members");
      const result = await listAccess(deps.engine, { resource: project, permission: input.permission, limit: input.limit, cursor: input.cursor });
      return { project: input.projectId, permission: input.permission, ...result };
    },
  };
}
