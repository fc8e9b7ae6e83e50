// contentCascade deletes a workspace or folder with everything below it (rule 12): every folder
// and resource under it and every relationship naming any of them — grants, `parent`, `project`,
// `pushed`, the project's `workspace` link — in one atomic write (chunked past 1,000, the
// container's own anchor last, so a delete that failed half-way can be sent again). Names go
// from app state in the same unit of work.
import type { Engine, Relationship } from "../../engine/engine.js";
import type { ObjectKind, Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { deleteCascade } from "../organizations/organization-cascade.js";
import { readAll } from "../organizations/organization-graph.js";
import { contentAnchor, readSubtree, requireContent, type ContainerRef } from "./content-graph.js";

export interface ContainerDeletion {
  id: string;
  project: string;
  /** What went with it: the folders and resources below. */
  folders: number;
  resources: number;
  deletedRelationships: number;
  zedToken: string;
}

export async function deleteContainer(
  deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "deleteObject">; locks: KeyedMutex },
  input: { actor: Actor; container: ContainerRef },
): Promise<ContainerDeletion> {
  const { engine } = deps;
  const { container } = input;
  const projectId = await requireContent(engine, container);
  await requirePermission(engine, input.actor, ref(container.type, container.id), "delete");
  // Under the project's lock: creates, moves and shares below it wait, so nothing lands late.
  return deps.locks.run(`project:${projectId}`, async () => {
    const tree = await readSubtree(engine, container);
    const deepestFirst = [...tree.folders].sort((a, b) => b.level - a.level).map((f) => f.id);
    const [resources, folders, own, links] = await Promise.all([
      Promise.all(tree.resources.map((id) => readAll(engine, { resourceType: "resource", resourceId: id }))),
      Promise.all(deepestFirst.map((id) => readAll(engine, { resourceType: "folder", resourceId: id }))),
      readAll(engine, { resourceType: container.type, resourceId: container.id }),
      container.type === "workspace"
        ? readAll(engine, { resourceType: "project", resourceId: projectId, relation: "workspace", subject: { type: "workspace", id: container.id } })
        : Promise.resolve([] as Relationship[]),
    ]);
    const isAnchor = (r: Relationship) => r.relation === "project";
    const records: Array<[ObjectKind, string]> = [
      ...tree.resources.map((id): [ObjectKind, string] => ["resource", id]),
      ...deepestFirst.map((id): [ObjectKind, string] => ["folder", id]),
      [container.type, container.id],
    ];
    const deleted = await deleteCascade(engine, {
      batches: [...resources, ...folders, links, own.filter((r) => !isAnchor(r)), own.filter(isAnchor)],
      preconditions: [contentAnchor(container, projectId)],
      then: async () => {
        for (const [kind, id] of records) await deps.store.deleteObject(kind, id);
      },
    });
    return {
      id: container.id,
      project: projectId,
      folders: tree.folders.length,
      resources: tree.resources.length,
      deletedRelationships: deleted.removed,
      zedToken: deleted.zedToken,
    };
  });
}
