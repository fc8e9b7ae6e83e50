// listOrgMembers returns an organization's member directory: each user's role and scopes.
// It is the Members area of the organization settings, so it needs view_members (members
// scope view or full, or an admin or owner), not mere membership.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { organizationRef, readMemberships, requireOrganization } from "./organization-graph.js";
import { pageByKey, type Page, type PageRequest } from "./organization-paging.js";
import type { OrgMemberView } from "./set-org-member.js";

export function createListOrgMembers(deps: { engine: Pick<Engine, "check" | "readRelationships"> }) {
  return {
    async execute(input: { actor: Actor; orgId: string } & PageRequest): Promise<Page<OrgMemberView>> {
      await requireOrganization(deps.engine, input.orgId);
      await requirePermission(deps.engine, input.actor, organizationRef(input.orgId), "view_members");
      const members = await readMemberships(deps.engine, input.orgId);
      const page = pageByKey(members, (m) => m.userId, input);
      return { ...page, items: page.items.map((m) => ({ user: m.userId, role: m.role!, scopes: m.scopes })) };
    },
  };
}
