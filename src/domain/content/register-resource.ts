// registerResource puts a resource (device, function, dashboard, …) into a project, for actors
// who may create in that project. A resource lives in one project: registering it again in the
// same project is a no-op, in another one is 409 already_exists. It may live in a workspace or
// folder of that project (`parent`, rule 12; another project's is 422 invalid_parent), which
// needs `create` there too; a new parent for a registered resource is a move, which also needs
// `edit` on the resource, and `parent: null` moves it back to the project's root.
import type { Engine, Precondition, RelationshipUpdate } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { DomainError, alreadyExists, invalidParent } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref, relationship } from "../model.js";
import { projectStillExists, requireProject } from "../projects/project-owner.js";
import { contentAnchor, formatContent, readParentLink, requireContent, type ContainerRef } from "./content-graph.js";
import { readResourceProject } from "./resource-project.js";

export interface RegisterResourceInput {
  actor: Actor;
  resourceId: string;
  projectId: string;
  /** Where in the project it lives: a container, null for the project's root, undefined to leave it where it is. */
  parent?: ContainerRef | null;
}

export function createRegisterResource(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; locks: KeyedMutex }) {
  const { engine } = deps;

  /** placement applies the parent rules and returns the parent updates (none when it stays). */
  async function placement(input: RegisterResourceInput, registered: boolean): Promise<{ updates: RelationshipUpdate[]; preconditions: Precondition[] }> {
    const { resourceId, projectId, parent } = input;
    const current = registered ? await readParentLink(engine, { type: "resource", id: resourceId }) : undefined;
    const same = parent ? current?.subject.type === parent.type && current.subject.id === parent.id : !current;
    if (parent === undefined || same) return { updates: [], preconditions: [] };
    if (parent) {
      const parentProject = await requireContent(engine, parent);
      if (parentProject !== projectId) throw invalidParent(`${formatContent(parent)} is in project ${parentProject}, not in project ${projectId}`);
      await requirePermission(engine, input.actor, ref(parent.type, parent.id), "create");
    }
    if (registered) await requirePermission(engine, input.actor, ref("resource", resourceId), "edit");
    return {
      updates: [
        ...(current ? [{ operation: "delete" as const, relationship: current }] : []),
        ...(parent ? [{ operation: "touch" as const, relationship: relationship(ref("resource", resourceId), "parent", ref(parent.type, parent.id)) }] : []),
      ],
      preconditions: parent ? [contentAnchor(parent, projectId)] : [],
    };
  }

  async function register(input: RegisterResourceInput) {
    const { resourceId, projectId } = input;
    const owner = await requireProject(engine, projectId);
    await requirePermission(engine, input.actor, ref("project", projectId), "create");
    const existing = await readResourceProject(engine, resourceId);
    if (existing && existing !== projectId) throw alreadyExists(`resource ${resourceId} is already registered in project ${existing}`);
    const placed = await placement(input, existing !== undefined);
    const link = relationship(ref("resource", resourceId), "project", ref("project", projectId));
    try {
      const written = await applyChange(engine, {
        updates: [{ operation: "touch", relationship: link }, ...placed.updates],
        preconditions: [
          projectStillExists(projectId, owner),
          // Guards a concurrent registration of the same id into another project.
          ...(existing ? [] : [{ operation: "must_not_exist" as const, filter: { resourceType: "resource", resourceId, relation: "project" } }]),
          ...placed.preconditions,
        ],
      });
      const parent = input.parent === undefined ? await readParentLink(engine, { type: "resource", id: resourceId }) : undefined;
      const where = input.parent === undefined ? (parent ? `${parent.subject.type}:${parent.subject.id}` : undefined) : input.parent ? formatContent(input.parent) : undefined;
      return { id: resourceId, project: projectId, ...(where ? { parent: where } : {}), created: !existing, zedToken: written.zedToken };
    } catch (err) {
      if (err instanceof DomainError && err.failure.kind === "precondition_failed" && !existing) {
        throw alreadyExists(`resource ${resourceId} was registered concurrently`);
      }
      throw err;
    }
  }

  return {
    async execute(input: RegisterResourceInput) {
      // Placing it in the content tree runs under the project's lock, like moves and deletes there.
      return input.parent === undefined ? register(input) : deps.locks.run(`project:${input.projectId}`, () => register(input));
    },
  };
}
