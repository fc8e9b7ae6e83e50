// removeGroupMember takes a user or nested group out of a group (needs the group's manage).
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { memberSubject, type GroupMemberRef } from "./add-group-member.js";
import { notFound } from "../errors.js";
import { ref } from "../model.js";
import { organizationOf, readOne } from "../organizations/organization-graph.js";

export function createRemoveGroupMember(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write"> }) {
  return {
    async execute(input: { actor: Actor; groupId: string; member: GroupMemberRef }): Promise<{ group: string; subject: GroupMemberRef; zedToken: string }> {
      await organizationOf(deps.engine, "group", input.groupId);
      await requirePermission(deps.engine, input.actor, ref("group", input.groupId), "manage");
      const found = await readOne(deps.engine, {
        resourceType: "group",
        resourceId: input.groupId,
        relation: "direct_member",
        subject: memberSubject(input.member),
      });
      if (!found.relationship) throw notFound(`${input.member.type}:${input.member.id} is not a member of group:${input.groupId}`);
      const written = await applyChange(deps.engine, { updates: [{ operation: "delete", relationship: found.relationship }] });
      return { group: input.groupId, subject: input.member, zedToken: written.zedToken };
    },
  };
}
