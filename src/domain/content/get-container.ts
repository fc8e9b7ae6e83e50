// getContainer shows a workspace or folder to whoever can view it (rule 12): its project, name,
// parent and path up to its workspace, who it is shared with (its own grants: what reaches
// everything below), what the actor may do there, what is pushed (a folder: whether it is; a
// workspace: the project's pushed items, visible in it), and its children, paged.
import type { Engine, Relationship } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { engineCall, fromEngineFailure } from "../errors.js";
import { ref, userRef } from "../model.js";
import { readAll } from "../organizations/organization-graph.js";
import { pageByKey, type PageRequest } from "../organizations/organization-paging.js";
import { memberOf, formatMember } from "../projects/project-subject.js";
import { CONTAINER_PERMISSIONS, CONTENT_ROLES, ancestry, formatContent, readChildren, requireContent, type ContainerRef, type ContentRef } from "./content-graph.js";

export interface ContentEntry {
  /** `folder:<id>` or `resource:<id>`. */
  ref: string;
  name?: string;
}

export function createGetContainer(deps: { engine: Pick<Engine, "check" | "checkBulk" | "readRelationships">; store: Pick<Store, "getObject" | "getObjects"> }) {
  const { engine, store } = deps;

  /** entries names the items from app state (folders have names; resources may). */
  async function entries(items: ContentRef[]): Promise<ContentEntry[]> {
    const ids = (type: "folder" | "resource") => items.filter((i) => i.type === type).map((i) => i.id);
    const [folders, resources] = await Promise.all([store.getObjects("folder", ids("folder")), store.getObjects("resource", ids("resource"))]);
    return items.map((item) => {
      const name = (item.type === "folder" ? folders : resources).get(item.id)?.name;
      return { ref: formatContent(item), ...(name !== undefined ? { name } : {}) };
    });
  }

  async function permissionsOf(container: ContainerRef, userId: string): Promise<Record<string, boolean>> {
    const resource = ref(container.type, container.id);
    const { results } = await engineCall(() => engine.checkBulk(CONTAINER_PERMISSIONS.map((permission) => ({ resource, permission, subject: userRef(userId) }))));
    return Object.fromEntries(
      results.map((r, i) => {
        if (!r.ok) throw fromEngineFailure(r.error);
        return [CONTAINER_PERMISSIONS[i]!, r.result.permissionship === "allowed"];
      }),
    );
  }

  const members = (own: Relationship[]) =>
    own
      .filter((r) => (CONTENT_ROLES as readonly string[]).includes(r.relation))
      .flatMap((r) => {
        const subject = memberOf(r.subject);
        return subject ? [{ subject: formatMember(subject), role: r.relation, ...(r.expiresAt ? { expiresAt: r.expiresAt.toISOString() } : {}) }] : [];
      })
      .sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));

  return {
    async execute(input: { actor: Actor; container: ContainerRef } & PageRequest) {
      const { actor, container } = input;
      const projectId = await requireContent(engine, container);
      await requirePermission(engine, actor, ref(container.type, container.id), "view");
      const [record, own, chain, children, permissions] = await Promise.all([
        store.getObject(container.type, container.id),
        readAll(engine, { resourceType: container.type, resourceId: container.id }),
        ancestry(engine, container),
        readChildren(engine, container),
        permissionsOf(container, actor.userId),
      ]);
      const items: ContentRef[] = [...children.folders.map((id) => ({ type: "folder" as const, id })), ...children.resources.map((id) => ({ type: "resource" as const, id }))];
      const page = pageByKey(items, formatContent, input);
      const pushedHere =
        container.type === "workspace"
          ? await Promise.all(
              (["folder", "resource"] as const).map(async (type) =>
                (await readAll(engine, { resourceType: type, relation: "pushed", subject: { type: "project", id: projectId } })).map((r) => ({ type, id: r.resource.id })),
              ),
            )
          : [];
      const parent = chain[1];
      return {
        id: container.id,
        type: container.type,
        project: projectId,
        ...(record?.name !== undefined ? { name: record.name } : {}),
        ...(parent ? { parent: formatContent(parent) } : {}),
        path: chain.slice(1).reverse().map(formatContent),
        ...(container.type === "folder" ? { pushed: own.some((r) => r.relation === "pushed") } : { pushedContent: await entries(pushedHere.flat()) }),
        members: members(own),
        permissions,
        children: await entries(page.items),
        ...(page.cursor ? { cursor: page.cursor } : {}),
      };
    },
  };
}
