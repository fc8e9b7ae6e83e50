// updateFolder moves and/or renames a folder (PATCH /v1/folders/:f, rule 12). Renaming needs
// `edit` on it; moving also needs `create_folder` on the new parent, which must be in the same
// project, must not be the folder itself or below it (a cycle), and must leave every folder
// below within MAX_FOLDER_DEPTH levels — else 422 invalid_parent. Moves run under the project's
// lock, so two concurrent moves cannot build a cycle between them; the old `parent` goes in the
// same atomic write as the new one.
import type { Engine, RelationshipUpdate } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { auditDraft } from "../audit/audit-context.js";
import { requirePermission } from "../authorize.js";
import { invalidParent } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref, relationship } from "../model.js";
import { readOne } from "../organizations/organization-graph.js";
import {
  MAX_FOLDER_DEPTH,
  ancestry,
  contentAnchor,
  folderLevel,
  formatContent,
  readParentLink,
  readSubtree,
  requireContent,
  subtreeHeight,
  type ContainerRef,
} from "./content-graph.js";
import type { FolderView } from "./create-folder.js";

export interface FolderChanges {
  parent?: ContainerRef;
  name?: string;
}

export function createUpdateFolder(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "getObject" | "putObject">; locks: KeyedMutex }) {
  const { engine } = deps;

  /** planMove applies the move rules and returns the parent swap (none when it stays). */
  async function planMove(actor: Actor, folderId: string, projectId: string, to: ContainerRef): Promise<RelationshipUpdate[]> {
    const current = await readParentLink(engine, { type: "folder", id: folderId });
    if (current && current.subject.type === to.type && current.subject.id === to.id) return [];
    const target = formatContent(to);
    const targetProject = await requireContent(engine, to);
    if (targetProject !== projectId) throw invalidParent(`${target} is in project ${targetProject}; folder ${folderId} stays in project ${projectId}`);
    await requirePermission(engine, actor, ref(to.type, to.id), "create_folder");
    const chain = await ancestry(engine, to);
    if (chain.some((c) => c.type === "folder" && c.id === folderId)) throw invalidParent(`${target} is folder ${folderId} itself or lies below it: the move would make a cycle`);
    const deepest = folderLevel(chain) + 1 + subtreeHeight(await readSubtree(engine, { type: "folder", id: folderId }));
    if (deepest > MAX_FOLDER_DEPTH) throw invalidParent(`moved into ${target}, folders below ${folderId} would be ${deepest} levels deep; at most ${MAX_FOLDER_DEPTH} are supported`);
    return [
      ...(current ? [{ operation: "delete" as const, relationship: current }] : []),
      { operation: "touch", relationship: relationship(ref("folder", folderId), "parent", ref(to.type, to.id)) },
    ];
  }

  return {
    async execute(input: { actor: Actor; folderId: string; changes: FolderChanges }): Promise<FolderView & { zedToken: string }> {
      const { actor, folderId, changes } = input;
      const folder = { type: "folder" as const, id: folderId };
      const projectId = await requireContent(engine, folder);
      return deps.locks.run(`project:${projectId}`, async () => {
        await requirePermission(engine, actor, ref("folder", folderId), "edit");
        const updates = changes.parent ? await planMove(actor, folderId, projectId, changes.parent) : [];
        const record = await deps.store.getObject("folder", folderId);
        const name = changes.name ?? record?.name;
        const rename = async () => {
          const audit = auditDraft({ at: new Date(), target: `folder:${folderId}`, detail: { name: name ?? null }, objects: [`folder:${folderId}`] });
          await deps.store.putObject({ kind: "folder", id: folderId, name, createdAt: record?.createdAt ?? new Date() }, audit);
        };
        let zedToken: string;
        if (updates.length > 0) {
          const written = await applyChange(engine, {
            updates,
            preconditions: [contentAnchor(folder, projectId), contentAnchor(changes.parent!, projectId)],
            then: changes.name !== undefined ? rename : undefined,
          });
          zedToken = written.zedToken;
        } else {
          if (changes.name !== undefined) await rename();
          // NOTE: no relationship changed; the token is the engine state the decision was made at.
          zedToken = (await readOne(engine, { resourceType: "folder", resourceId: folderId, relation: "project" })).zedToken;
        }
        const parent = await readParentLink(engine, folder);
        return {
          id: folderId,
          project: projectId,
          parent: parent ? `${parent.subject.type}:${parent.subject.id}` : "",
          ...(name !== undefined ? { name } : {}),
          zedToken,
        };
      });
    },
  };
}
