// projectOwner reads who owns a project: an organization (relation `organization`) or one
// user (relation `owner_user`, a personal project). That anchor relationship is what makes a
// project exist; every project use-case starts here, so an unknown project is a 404.
import type { Engine, Precondition, Relationship } from "../../engine/engine.js";
import { engineCall, notFound } from "../errors.js";
import { ref, relationship } from "../model.js";

export type ProjectOwner = { kind: "organization"; id: string } | { kind: "user"; id: string };

export type OwnerReader = Pick<Engine, "readRelationships">;

/** readProjectOwner returns the project's owner, or undefined when the project does not exist. */
export async function readProjectOwner(engine: OwnerReader, projectId: string): Promise<ProjectOwner | undefined> {
  const read = (relation: string) =>
    engineCall(() => engine.readRelationships({ resourceType: "project", resourceId: projectId, relation }, { limit: 1 }));
  const [org, user] = await Promise.all([read("organization"), read("owner_user")]);
  const orgId = org.relationships[0]?.subject.id;
  if (orgId) return { kind: "organization", id: orgId };
  const userId = user.relationships[0]?.subject.id;
  return userId ? { kind: "user", id: userId } : undefined;
}

/** requireProject is readProjectOwner that reports an unknown project as 404 not_found. */
export async function requireProject(engine: OwnerReader, projectId: string): Promise<ProjectOwner> {
  const owner = await readProjectOwner(engine, projectId);
  if (!owner) throw notFound(`project ${projectId} does not exist`);
  return owner;
}

/** ownerRelationship is the anchor relationship of a project with this owner. */
export function ownerRelationship(projectId: string, owner: ProjectOwner): Relationship {
  return owner.kind === "organization"
    ? relationship(ref("project", projectId), "organization", ref("organization", owner.id))
    : relationship(ref("project", projectId), "owner_user", ref("user", owner.id));
}

/**
 * projectStillExists is the precondition that guards a write against a concurrent project
 * delete (on another replica): the grant is written only while the anchor is there.
 */
export function projectStillExists(projectId: string, owner: ProjectOwner): Precondition {
  const anchor = ownerRelationship(projectId, owner);
  return {
    operation: "must_exist",
    filter: { resourceType: "project", resourceId: projectId, relation: anchor.relation, subject: { type: anchor.subject.type, id: anchor.subject.id } },
  };
}

export const formatOwner = (owner: ProjectOwner) => `${owner.kind}:${owner.id}`;
