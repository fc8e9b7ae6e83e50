// projectSubject: who can hold a role on a project or one of its resources (a user, or a
// group's members), and the rules a grant must pass before it is written (rules 4 and 5).
import type { Engine, SubjectRef } from "../engine/engine.js";
import { hasPermission } from "./authorize.js";
import { engineCall, groupsNotAllowed, notFound, notOrgMember } from "./errors.js";
import { groupMembers, ref, userRef } from "./model.js";
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
 * group must belong to it; a personal project takes users only.
 */
export async function requireGrantableSubject(engine: Pick<Engine, "check" | "readRelationships">, owner: ProjectOwner, subject: MemberSubject, projectId: string): Promise<void> {
  if (subject.type === "user") {
    if (owner.kind === "organization" && !(await hasPermission(engine, ref("organization", owner.id), "view", subject.id))) {
      throw notOrgMember(`user:${subject.id} is not a member of organization ${owner.id}; add them to the organization first`);
    }
    return;
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
}
