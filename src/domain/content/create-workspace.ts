// createWorkspace adds a workspace to a project (rule 12): editor+ may (`create_workspace`). One
// atomic write links both ways (`workspace:w#project@project:p`, which makes it exist, and
// `project:p#workspace@workspace:w`, which pushed content reaches it by) and makes the creator its
// editor, so they can share it; the name goes to app state in the same unit of work.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { DomainError, alreadyExists } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref, relationship, userRef } from "../model.js";
import { projectStillExists, requireProject } from "../projects/project-owner.js";
import { requireGrantableSubject } from "../projects/project-subject.js";
import { readContentProject } from "./content-graph.js";

export interface WorkspaceView {
  id: string;
  project: string;
  name?: string;
}

export function createCreateWorkspace(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "putObject">; locks: KeyedMutex }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; projectId: string; id: string; name?: string }): Promise<WorkspaceView & { zedToken: string }> {
      const { actor, projectId, id } = input;
      const owner = await requireProject(engine, projectId);
      await requirePermission(engine, actor, ref("project", projectId), "create_workspace");
      return deps.locks.run(`project:${projectId}`, async () => {
        // The creator's grant follows rule 4 like any other, against a concurrent removal too.
        const guard = await requireGrantableSubject(engine, owner, { type: "user", id: actor.userId }, projectId);
        const workspace = ref("workspace", id);
        try {
          const written = await applyChange(engine, {
            updates: [
              { operation: "create", relationship: relationship(workspace, "project", ref("project", projectId)) },
              { operation: "touch", relationship: relationship(ref("project", projectId), "workspace", workspace) },
              { operation: "touch", relationship: relationship(workspace, "editor", userRef(actor.userId)) },
            ],
            preconditions: [projectStillExists(projectId, owner), { operation: "must_not_exist", filter: { resourceType: "workspace", resourceId: id, relation: "project" } }, ...guard],
            then: () => deps.store.putObject({ kind: "workspace", id, name: input.name, createdAt: new Date() }),
          });
          return { id, project: projectId, ...(input.name !== undefined ? { name: input.name } : {}), zedToken: written.zedToken };
        } catch (err) {
          const taken = err instanceof DomainError && (err.failure.kind === "precondition_failed" || err.failure.kind === "already_exists");
          if (taken && (await readContentProject(engine, { type: "workspace", id }))) throw alreadyExists(`workspace ${id} already exists`);
          throw err;
        }
      });
    },
  };
}
