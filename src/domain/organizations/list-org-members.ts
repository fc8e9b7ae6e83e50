// listOrgMembers returns an organization's member directory (rule 16): each user's role and
// scopes, the roles they hold themselves on the organization's projects, when they joined and
// the e-mail address they proved (accepting an e-mail invitation). It is the Members area of the
// organization settings, so it needs view_members (members scope view or full, or an admin or
// owner), not mere membership.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { readProjectGrants } from "../projects/project-grants.js";
import { idsOwnedBy, organizationRef, readMemberships, requireOrganization } from "./organization-graph.js";
import { pageByKey, type Page, type PageRequest } from "./organization-paging.js";
import type { OrgMemberView } from "./set-org-member.js";

export interface DirectoryEntry extends OrgMemberView {
  email?: string;
  /** The roles the member holds directly (not through a group) on the organization's projects. */
  projects: Array<{ project: string; role: string }>;
  /** ISO time they joined; null for a member from before Accord recorded it (or added by raw writes). */
  joinedAt: string | null;
}

export function createListOrgMembers(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "listMembers"> }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; orgId: string } & PageRequest): Promise<Page<DirectoryEntry>> {
      await requireOrganization(engine, input.orgId);
      await requirePermission(engine, input.actor, organizationRef(input.orgId), "view_members");
      const [members, records, projectIds] = await Promise.all([
        readMemberships(engine, input.orgId),
        deps.store.listMembers(input.orgId),
        idsOwnedBy(engine, "project", input.orgId),
      ]);
      const page = pageByKey(members, (m) => m.userId, input);
      // NOTE: one read of each project's grants per page; an organization's projects number in
      // the hundreds, and the page's members are looked up in them.
      const onPage = new Set(page.items.map((m) => m.userId));
      const held = new Map<string, Array<{ project: string; role: string }>>();
      const grants = await Promise.all(projectIds.sort().map(async (projectId) => ({ projectId, grants: await readProjectGrants(engine, projectId) })));
      for (const { projectId, grants: list } of grants) {
        for (const g of list) {
          if (g.subject.type !== "user" || !onPage.has(g.subject.id)) continue;
          held.set(g.subject.id, [...(held.get(g.subject.id) ?? []), { project: projectId, role: g.role }]);
        }
      }
      return {
        ...page,
        items: page.items.map((m) => {
          const record = records.get(m.userId);
          return {
            user: m.userId,
            ...(record?.email ? { email: record.email } : {}),
            role: m.role!,
            scopes: m.scopes,
            projects: held.get(m.userId) ?? [],
            joinedAt: record ? record.joinedAt.toISOString() : null,
          };
        }),
      };
    },
  };
}
