// deleteProject removes a project and every relationship that names it: its own relations
// (owner, roles, bindings, scopes, removal marks), its custom-role bindings "<project>|*", its
// feature objects "<project>|<key>", and the resources, folders and workspaces in it with all
// their grants (rule 12). Needs delete_project (admins, rule 2 bypass).
// Its pending invitations end with it (revoked); they held no seat.
import type { Engine, Relationship, RelationshipUpdate } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { engineCall } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { readAllRelationships, readBindingIds } from "./project-grants.js";
import { requireProject } from "./project-owner.js";

const MAX_UPDATES = 1000;

/** PARTS are the definitions whose objects belong to one project (their `project` anchor). */
const PARTS = ["resource", "folder", "workspace", "project_feature"] as const;
type PartIds = Record<(typeof PARTS)[number], Set<string>>;

export function createDeleteProject(deps: {
  engine: Pick<Engine, "check" | "readRelationships" | "write">;
  store: Pick<Store, "deleteObject" | "endInvitationsTo">;
  locks: KeyedMutex;
  now: () => Date;
}) {
  const { engine, store } = deps;

  /**
   * relationshipsNaming lists what goes, the project's own anchor last; `ids` collects the
   * objects of the project (a sweep passes the earlier ones: their link is gone by then).
   */
  async function relationshipsNaming(projectId: string, ids: PartIds): Promise<Relationship[]> {
    const [own, bindingIds, ...anchored] = await Promise.all([
      readAllRelationships(engine, { resourceType: "project", resourceId: projectId }),
      readBindingIds(engine, projectId),
      ...PARTS.map((resourceType) => readAllRelationships(engine, { resourceType, relation: "project", subject: { type: "project", id: projectId } })),
    ]);
    PARTS.forEach((type, i) => {
      for (const r of anchored[i]!) ids[type].add(r.resource.id);
    });
    const parts = await Promise.all([
      ...PARTS.flatMap((resourceType) =>
        [...ids[resourceType]].map(async (id) => {
          const rels = await readAllRelationships(engine, { resourceType, resourceId: id });
          // A resource registered in another project since the first pass is no longer this one's.
          return rels.some((r) => r.relation === "project" && r.subject.id !== projectId) ? [] : rels;
        }),
      ),
      ...bindingIds.map((id) => readAllRelationships(engine, { resourceType: "role_binding", resourceId: id })),
    ]);
    const isAnchor = (r: Relationship) => r.relation === "organization" || r.relation === "owner_user";
    return [...parts.flat(), ...own.filter((r) => !isAnchor(r)), ...own.filter(isAnchor)];
  }

  return {
    async execute(input: { actor: Actor; projectId: string }) {
      await requireProject(engine, input.projectId);
      await requirePermission(engine, input.actor, ref("project", input.projectId), "delete_project");
      return deps.locks.run(`project:${input.projectId}`, async () => {
        const deleteAll = async (doomed: Relationship[]) => {
          const updates: RelationshipUpdate[] = doomed.map((relationship) => ({ operation: "delete", relationship }));
          // NOTE: one atomic write up to 1,000 relationships; a larger project goes in batches,
          // the anchor in the last one, so a failure part-way leaves a project that still
          // exists and can be deleted again.
          let zedToken = "";
          for (let i = 0; i < updates.length; i += MAX_UPDATES) {
            zedToken = (await engineCall(() => engine.write(updates.slice(i, i + MAX_UPDATES)))).zedToken;
          }
          return { count: updates.length, zedToken };
        };
        const ids: PartIds = { resource: new Set(), folder: new Set(), workspace: new Set(), project_feature: new Set() };
        const first = await deleteAll(await relationshipsNaming(input.projectId, ids));
        // NOTE: a resource registered, shared or granted under another lock may have landed after
        // the read above; each of those writes requires the project's anchor (or the resource's
        // link to it), now gone, so one more sweep leaves nothing for a later project of the same id.
        const late = await relationshipsNaming(input.projectId, ids);
        const swept = late.length > 0 ? await deleteAll(late) : undefined;
        await store.endInvitationsTo({ type: "project", id: input.projectId }, { at: deps.now(), by: input.actor.userId });
        for (const kind of ["workspace", "folder"] as const) for (const id of ids[kind]) await store.deleteObject(kind, id);
        await store.deleteObject("project", input.projectId);
        return { id: input.projectId, deletedRelationships: first.count + (swept?.count ?? 0), zedToken: swept?.zedToken ?? first.zedToken };
      });
    },
  };
}
