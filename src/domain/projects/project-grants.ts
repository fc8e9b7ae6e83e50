// projectGrants reads who holds which role on a project: built-in roles are relations of the
// project itself; a custom role R is held through role_binding "<project>|R" (holder).
import type { Engine, Relationship, RelationshipFilter, SubjectRef } from "../../engine/engine.js";
import { engineCall } from "../errors.js";
import { PROJECT_ROLES, parseBindingId, type ProjectRole } from "../model.js";
import { memberOf, type MemberSubject } from "./project-subject.js";

export type Reader = Pick<Engine, "readRelationships">;

/** RoleGrant is one role held on a project: "editor", or "role:<id>" for a custom role. */
export interface RoleGrant {
  role: string;
  /** The relationship that holds it; deleting it ends the grant. */
  relationship: Relationship;
}

const PAGE = 1000;

/** readAllRelationships pages through every relationship matching the filter. */
export async function readAllRelationships(engine: Reader, filter: RelationshipFilter): Promise<Relationship[]> {
  const all: Relationship[] = [];
  let cursor: string | undefined;
  do {
    const page = await engineCall(() => engine.readRelationships(filter, { limit: PAGE, cursor }));
    all.push(...page.relationships);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

export const isProjectRole = (relation: string): relation is ProjectRole => (PROJECT_ROLES as readonly string[]).includes(relation);

/** readBindingIds lists the role_binding ids (one per custom role in use) of a project. */
export async function readBindingIds(engine: Reader, projectId: string): Promise<string[]> {
  const rels = await readAllRelationships(engine, { resourceType: "project", resourceId: projectId, relation: "binding" });
  return rels.map((r) => r.subject.id).filter((id) => parseBindingId(id).projectId === projectId);
}

/** readSubjectGrants returns every role the subject holds on the project (normally one). */
export async function readSubjectGrants(engine: Reader, projectId: string, subject: SubjectRef): Promise<RoleGrant[]> {
  const subjectFilter = { type: subject.type, id: subject.id, ...(subject.relation ? { relation: subject.relation } : {}) };
  const [direct, bindings] = await Promise.all([
    readAllRelationships(engine, { resourceType: "project", resourceId: projectId, subject: subjectFilter }),
    readBindingIds(engine, projectId),
  ]);
  const grants: RoleGrant[] = direct.filter((r) => isProjectRole(r.relation)).map((r) => ({ role: r.relation, relationship: r }));
  const held = await Promise.all(
    bindings.map((id) => readAllRelationships(engine, { resourceType: "role_binding", resourceId: id, relation: "holder", subject: subjectFilter })),
  );
  for (const rels of held) {
    for (const r of rels) grants.push({ role: `role:${parseBindingId(r.resource.id).roleId}`, relationship: r });
  }
  return grants;
}

/** MemberGrant is one line of a project's member list. */
export interface MemberGrant {
  subject: MemberSubject;
  role: string;
  expiresAt?: Date;
}

/** readProjectGrants returns every role held on the project, built-in and custom. */
export async function readProjectGrants(engine: Reader, projectId: string): Promise<MemberGrant[]> {
  const [own, bindings] = await Promise.all([
    readAllRelationships(engine, { resourceType: "project", resourceId: projectId }),
    readBindingIds(engine, projectId),
  ]);
  const held = await Promise.all(bindings.map((id) => readAllRelationships(engine, { resourceType: "role_binding", resourceId: id, relation: "holder" })));
  const grants: MemberGrant[] = [];
  const add = (r: Relationship, role: string) => {
    const subject = memberOf(r.subject);
    if (subject) grants.push(r.expiresAt ? { subject, role, expiresAt: r.expiresAt } : { subject, role });
  };
  for (const r of own) if (isProjectRole(r.relation)) add(r, r.relation);
  for (const r of held.flat()) add(r, `role:${parseBindingId(r.resource.id).roleId}`);
  return grants;
}
