// projectSubject: who can hold a role on a project or one of its resources (a user, or a
// group's members), and the rules a grant must pass before it is written (rules 4 and 5).
import type { Engine, Precondition, SubjectRef } from "../../engine/engine.js";
import { engineCall, groupsNotAllowed, notFound, notOrgMember } from "../errors.js";
import { ORG_ROLES, groupMembers, userRef } from "../model.js";
import type { ProjectOwner } from "./project-owner.js";

/** MemberSubject is a grantee as product endpoints name it: `user:x` or `group:g`. */
export interface MemberSubject {
  type: "user" | "group";
  id: string;
}

/** subjectRefOf is the engine subject a grant names: a group grants through `group:g#member`. */
export const subjectRefOf = (subject: MemberSubject): SubjectRef => (subject.type === "user" ? userRef(subject.id) : groupMembers(subject.id));

export const formatMember = (subject: MemberSubject) => `${subject.type}:${subject.id}`;

/** memberOf reads a relationship's subject back into product terms (undefined for other shapes). */
export function memberOf(subject: SubjectRef): MemberSubject | undefined {
  if (subject.type === "user" && !subject.relation && subject.id !== "*") return { type: "user", id: subject.id };
  if (subject.type === "group" && subject.relation === "member") return { type: "group", id: subject.id };
  return undefined;
}

/**
 * requireGrantableSubject enforces rules 4 and 5 for a grant on a project owned by `owner`:
 * on an organization's project a user must already be a member of that organization and a
 * group must belong to it; a personal project takes users only. It returns the preconditions
 * that keep this true until the grant is written: the user's org role tuple (or the group's
 * organization tuple) must still exist, so a grant racing the user's removal from the
 * organization (which holds another lock) fails instead of leaving a non-member a role.
 */
export async function requireGrantableSubject(engine: Pick<Engine, "readRelationships">, owner: ProjectOwner, subject: MemberSubject, projectId: string): Promise<Precondition[]> {
  if (subject.type === "user") {
    if (owner.kind === "user") return [];
    const page = await engineCall(() => engine.readRelationships({ resourceType: "organization", resourceId: owner.id, subject: { type: "user", id: subject.id } }, { limit: 100 }));
    const role = page.relationships.find((r) => (ORG_ROLES as readonly string[]).includes(r.relation))?.relation;
    if (!role) throw notOrgMember(`user:${subject.id} is not a member of organization ${owner.id}; add them to the organization first`);
    return [{ operation: "must_exist", filter: { resourceType: "organization", resourceId: owner.id, relation: role, subject: { type: "user", id: subject.id } } }];
  }
  if (owner.kind === "user") {
    throw groupsNotAllowed(`groups can be granted roles only on organization projects; project ${projectId} is personal`);
  }
  const page = await engineCall(() => engine.readRelationships({ resourceType: "group", resourceId: subject.id, relation: "organization" }, { limit: 1 }));
  const groupOrg = page.relationships[0]?.subject.id;
  if (!groupOrg) throw notFound(`group ${subject.id} does not exist`);
  if (groupOrg !== owner.id) {
    throw notOrgMember(`group ${subject.id} belongs to organization ${groupOrg}, not to ${owner.id} which owns project ${projectId}`);
  }
  return [{ operation: "must_exist", filter: { resourceType: "group", resourceId: subject.id, relation: "organization", subject: { type: "organization", id: owner.id } } }];
}
