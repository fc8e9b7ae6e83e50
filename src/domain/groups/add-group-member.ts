// addGroupMember puts a user or a nested group into a group (rule 5): users must be members
// of the group's organization (422 not_org_member), nested groups must belong to the same
// organization and must not close a cycle (400 naming `subject`).
import type { Engine, Precondition, SubjectRef } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { invalidRequest, notFound, notOrgMember } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { groupMembers, ref, relationship, userRef } from "../model.js";
import { roleFilter } from "../organizations/org-member-rules.js";
import { organizationOf, readAll, readMembership, readOne, type GraphReader } from "../organizations/organization-graph.js";

export interface GroupMemberRef {
  type: "user" | "group";
  id: string;
}

export const memberSubject = (member: GroupMemberRef): SubjectRef => (member.type === "user" ? userRef(member.id) : groupMembers(member.id));

/** reaches reports whether group `to` is `from` or is nested, at any depth, inside `from`. */
async function reaches(engine: GraphReader, from: string, to: string): Promise<boolean> {
  const seen = new Set<string>([from]);
  let frontier = [from];
  while (frontier.length > 0) {
    if (frontier.includes(to)) return true;
    const nested = await Promise.all(
      frontier.map((id) => readAll(engine, { resourceType: "group", resourceId: id, relation: "direct_member", subject: { type: "group" } })),
    );
    frontier = nested.flat().map((r) => r.subject.id).filter((id) => !seen.has(id));
    for (const id of frontier) seen.add(id);
  }
  return false;
}

/** memberPrecondition: what must still hold when the write lands (the user's org role, the nested group's org). */
async function memberPrecondition(engine: GraphReader, orgId: string, groupId: string, member: GroupMemberRef): Promise<Precondition> {
  if (member.type === "user") {
    const membership = await readMembership(engine, orgId, member.id);
    if (!membership.role) throw notOrgMember(`user:${member.id} is not a member of organization:${orgId}; groups hold members of their organization only`);
    return { operation: "must_exist", filter: roleFilter(orgId, membership.role, member.id) };
  }
  const nested = await readOne(engine, { resourceType: "group", resourceId: member.id, relation: "organization" });
  if (!nested.relationship) throw notFound(`group:${member.id} does not exist`);
  if (nested.relationship.subject.id !== orgId) throw invalidRequest(`group:${member.id} belongs to another organization`, "subject");
  if (await reaches(engine, member.id, groupId)) throw invalidRequest(`adding group:${member.id} to group:${groupId} would make a cycle`, "subject");
  return { operation: "must_exist", filter: { resourceType: "group", resourceId: member.id, relation: "organization", subject: { type: "organization", id: orgId } } };
}

export function createAddGroupMember(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; locks: KeyedMutex }) {
  return {
    async execute(input: { actor: Actor; groupId: string; member: GroupMemberRef }): Promise<{ group: string; subject: GroupMemberRef; zedToken: string }> {
      const { engine } = deps;
      const { orgId } = await organizationOf(engine, "group", input.groupId);
      const group = ref("group", input.groupId);
      await requirePermission(engine, input.actor, group, "manage");
      // Serialized per organization: membership and cycle checks must hold when the write lands.
      return deps.locks.run(`organization:${orgId}`, async () => {
        const guard = await memberPrecondition(engine, orgId, input.groupId, input.member);
        const tuple = relationship(group, "direct_member", memberSubject(input.member));
        const existing = await readOne(engine, { resourceType: "group", resourceId: input.groupId, relation: "direct_member", subject: tuple.subject });
        const ownOrg: Precondition = { operation: "must_exist", filter: { resourceType: "group", resourceId: input.groupId, relation: "organization" } };
        const written = existing.relationship
          ? { zedToken: existing.zedToken }
          : await applyChange(engine, { updates: [{ operation: "touch", relationship: tuple }], preconditions: [guard, ownOrg] });
        return { group: input.groupId, subject: input.member, zedToken: written.zedToken };
      });
    },
  };
}
