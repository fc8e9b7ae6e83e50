// createFolder adds a folder to a workspace or a folder (rule 12). The actor needs
// `create_folder` on the parent: manager+ for a top-level folder (in a workspace), `edit` on a
// folder for a sub-folder. The folder takes its parent's project for good (moves never cross
// projects); deeper than MAX_FOLDER_DEPTH levels is 422 invalid_parent. One atomic write, under
// the project's lock (moves and deletes of the parent hold it too): its project, its parent and
// the creator's editor grant; the name goes to app state in the same unit of work.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { DomainError, alreadyExists, invalidParent } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref, relationship, userRef } from "../model.js";
import { projectStillExists, requireProject } from "../projects/project-owner.js";
import { requireGrantableSubject } from "../projects/project-subject.js";
import { MAX_FOLDER_DEPTH, ancestry, contentAnchor, folderLevel, formatContent, readContentProject, requireContent, type ContainerRef } from "./content-graph.js";

export interface FolderView {
  id: string;
  project: string;
  parent: string;
  name?: string;
}

export function createCreateFolder(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "putObject">; locks: KeyedMutex }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; id: string; parent: ContainerRef; name?: string }): Promise<FolderView & { zedToken: string }> {
      const { actor, id, parent } = input;
      const projectId = await requireContent(engine, parent);
      const owner = await requireProject(engine, projectId);
      return deps.locks.run(`project:${projectId}`, async () => {
        await requirePermission(engine, actor, ref(parent.type, parent.id), "create_folder");
        const level = folderLevel(await ancestry(engine, parent)) + 1;
        if (level > MAX_FOLDER_DEPTH) throw invalidParent(`a folder in ${formatContent(parent)} would be ${level} folder levels deep; at most ${MAX_FOLDER_DEPTH} are supported`);
        const guard = await requireGrantableSubject(engine, owner, { type: "user", id: actor.userId }, projectId);
        const folder = ref("folder", id);
        try {
          const written = await applyChange(engine, {
            updates: [
              { operation: "create", relationship: relationship(folder, "project", ref("project", projectId)) },
              { operation: "touch", relationship: relationship(folder, "parent", ref(parent.type, parent.id)) },
              { operation: "touch", relationship: relationship(folder, "editor", userRef(actor.userId)) },
            ],
            preconditions: [
              projectStillExists(projectId, owner),
              contentAnchor(parent, projectId),
              { operation: "must_not_exist", filter: { resourceType: "folder", resourceId: id, relation: "project" } },
              ...guard,
            ],
            then: () => deps.store.putObject({ kind: "folder", id, name: input.name, createdAt: new Date() }),
          });
          return { id, project: projectId, parent: formatContent(parent), ...(input.name !== undefined ? { name: input.name } : {}), zedToken: written.zedToken };
        } catch (err) {
          const taken = err instanceof DomainError && (err.failure.kind === "precondition_failed" || err.failure.kind === "already_exists");
          if (taken && (await readContentProject(engine, { type: "folder", id }))) throw alreadyExists(`folder ${id} already exists`);
          throw err;
        }
      });
    },
  };
}
