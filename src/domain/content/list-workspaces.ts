// listWorkspaces lists the workspaces of a project that the actor can view (rule 12): all of
// them for project viewers and up, the ones shared with them (directly, through a group) for
// anyone else. Someone who sees none and holds no project access gets 403. Paged by id.
import type { Engine, ObjectRef } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { hasPermission } from "../authorize.js";
import { engineCall, forbidden, fromEngineFailure } from "../errors.js";
import { ref, userRef } from "../model.js";
import { readAll } from "../organizations/organization-graph.js";
import { pageByKey, type Page, type PageRequest } from "../organizations/organization-paging.js";
import { requireProject } from "../projects/project-owner.js";
import type { WorkspaceView } from "./create-workspace.js";

/** CHECK_BATCH bounds one bulk check (the engine takes up to 1,000 items). */
const CHECK_BATCH = 500;

/** viewable keeps the objects the user holds the permission on, in one bulk check per batch. */
export async function viewable(engine: Pick<Engine, "checkBulk">, objects: ObjectRef[], permission: string, userId: string): Promise<ObjectRef[]> {
  const kept: ObjectRef[] = [];
  for (let i = 0; i < objects.length; i += CHECK_BATCH) {
    const batch = objects.slice(i, i + CHECK_BATCH);
    const { results } = await engineCall(() => engine.checkBulk(batch.map((resource) => ({ resource, permission, subject: userRef(userId) }))));
    results.forEach((r, n) => {
      if (!r.ok) throw fromEngineFailure(r.error);
      if (r.result.permissionship === "allowed") kept.push(batch[n]!);
    });
  }
  return kept;
}

export function createListWorkspaces(deps: { engine: Pick<Engine, "check" | "checkBulk" | "readRelationships">; store: Pick<Store, "getObjects"> }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; projectId: string } & PageRequest): Promise<Page<WorkspaceView>> {
      const { actor, projectId } = input;
      await requireProject(engine, projectId);
      const all = await readAll(engine, { resourceType: "workspace", relation: "project", subject: { type: "project", id: projectId } });
      const visible = await viewable(engine, all.map((r) => ref("workspace", r.resource.id)), "view", actor.userId);
      if (visible.length === 0 && !(await hasPermission(engine, ref("project", projectId), "access", actor.userId))) {
        throw forbidden(`user:${actor.userId} has no access to project ${projectId} nor to any of its workspaces`);
      }
      const page = pageByKey(visible.map((w) => w.id), (id) => id, input);
      const records = await deps.store.getObjects("workspace", page.items);
      return { ...page, items: page.items.map((id) => ({ id, project: projectId, ...(records.get(id)?.name !== undefined ? { name: records.get(id)!.name } : {}) })) };
    },
  };
}
