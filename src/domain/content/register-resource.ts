// registerResource puts a resource (device, function, dashboard, …) into a project, for
// actors who may create in that project. A resource lives in one project: registering it
// again in the same project is a no-op, in another one is 409 already_exists.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { DomainError, alreadyExists } from "../errors.js";
import { ref, relationship } from "../model.js";
import { projectStillExists, requireProject } from "../projects/project-owner.js";
import { readResourceProject } from "./resource-project.js";

export function createRegisterResource(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write"> }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; resourceId: string; projectId: string }) {
      const { resourceId, projectId } = input;
      const owner = await requireProject(engine, projectId);
      await requirePermission(engine, input.actor, ref("project", projectId), "create");
      const existing = await readResourceProject(engine, resourceId);
      if (existing && existing !== projectId) throw alreadyExists(`resource ${resourceId} is already registered in project ${existing}`);
      const link = relationship(ref("resource", resourceId), "project", ref("project", projectId));
      try {
        const written = await applyChange(engine, {
          updates: [{ operation: "touch", relationship: link }],
          preconditions: [
            projectStillExists(projectId, owner),
            // Guards a concurrent registration of the same id into another project.
            ...(existing ? [] : [{ operation: "must_not_exist" as const, filter: { resourceType: "resource", resourceId, relation: "project" } }]),
          ],
        });
        return { id: resourceId, project: projectId, created: !existing, zedToken: written.zedToken };
      } catch (err) {
        if (err instanceof DomainError && err.failure.kind === "precondition_failed" && !existing) {
          throw alreadyExists(`resource ${resourceId} was registered concurrently`);
        }
        throw err;
      }
    },
  };
}
