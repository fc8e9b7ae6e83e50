// resourceProject reads which project a resource is registered in (resource#project); an
// unregistered resource is unknown to product endpoints (404).
import type { Engine, Relationship, SubjectRef } from "../../engine/engine.js";
import { engineCall, invalidRole, notFound } from "../errors.js";
import { RESOURCE_ROLES, type ResourceRole } from "../model.js";
import { readAllRelationships } from "../projects/project-grants.js";

export async function readResourceProject(engine: Pick<Engine, "readRelationships">, resourceId: string): Promise<string | undefined> {
  const page = await engineCall(() => engine.readRelationships({ resourceType: "resource", resourceId, relation: "project" }, { limit: 1 }));
  return page.relationships[0]?.subject.id;
}

export async function requireResource(engine: Pick<Engine, "readRelationships">, resourceId: string): Promise<string> {
  const projectId = await readResourceProject(engine, resourceId);
  if (!projectId) throw notFound(`resource ${resourceId} is not registered in any project`);
  return projectId;
}

export function parseResourceRole(role: string): ResourceRole {
  if ((RESOURCE_ROLES as readonly string[]).includes(role)) return role as ResourceRole;
  throw invalidRole(`role must be one of ${RESOURCE_ROLES.join(", ")} on a resource; got ${JSON.stringify(role.slice(0, 140))}`);
}

/** readResourceGrants lists the subject's direct grants (viewer/editor) on the resource. */
export async function readResourceGrants(engine: Pick<Engine, "readRelationships">, resourceId: string, subject: SubjectRef): Promise<Relationship[]> {
  const rels = await readAllRelationships(engine, {
    resourceType: "resource",
    resourceId,
    subject: { type: subject.type, id: subject.id, ...(subject.relation ? { relation: subject.relation } : {}) },
  });
  return rels.filter((r) => (RESOURCE_ROLES as readonly string[]).includes(r.relation));
}
