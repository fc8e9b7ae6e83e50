// listGroupMembers lists a group's direct members (users and nested groups) to the members of
// its organization (the group's view).
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import type { GroupMemberRef } from "./add-group-member.js";
import { ref } from "../model.js";
import { organizationOf, readAll } from "../organizations/organization-graph.js";
import { pageByKey, type Page, type PageRequest } from "../organizations/organization-paging.js";

export function createListGroupMembers(deps: { engine: Pick<Engine, "check" | "readRelationships"> }) {
  return {
    async execute(input: { actor: Actor; groupId: string } & PageRequest): Promise<Page<GroupMemberRef>> {
      await organizationOf(deps.engine, "group", input.groupId);
      await requirePermission(deps.engine, input.actor, ref("group", input.groupId), "view");
      const rels = await readAll(deps.engine, { resourceType: "group", resourceId: input.groupId, relation: "direct_member" });
      const members = rels.map((r): GroupMemberRef => ({ type: r.subject.type === "group" ? "group" : "user", id: r.subject.id }));
      return pageByKey(members, (m) => `${m.type}:${m.id}`, input);
    },
  };
}
