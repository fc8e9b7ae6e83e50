// listProjectMembers lists who holds which role on a project — users and groups, built-in
// and custom roles — to anyone with view_members, a page at a time.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { pageAfter } from "../access/access-page.js";
import { requirePermission } from "../authorize.js";
import { ref } from "../model.js";
import { readProjectGrants } from "./project-grants.js";
import { requireProject } from "./project-owner.js";
import { formatMember } from "./project-subject.js";

export interface ProjectMember {
  subject: string;
  role: string;
  expiresAt?: string;
}

export function createListProjectMembers(deps: { engine: Pick<Engine, "check" | "readRelationships"> }) {
  return {
    async execute(input: { actor: Actor; projectId: string; limit: number; cursor?: string }) {
      await requireProject(deps.engine, input.projectId);
      await requirePermission(deps.engine, input.actor, ref("project", input.projectId), "view_members");
      // NOTE: the member list is read whole and paged here; a project's members number in the
      // thousands at most, and one read keeps pages consistent with each other.
      const grants = await readProjectGrants(deps.engine, input.projectId);
      const members: ProjectMember[] = grants.map((g) => ({
        subject: formatMember(g.subject),
        role: g.role,
        ...(g.expiresAt ? { expiresAt: g.expiresAt.toISOString() } : {}),
      }));
      const page = pageAfter(members, (m) => `${m.subject} ${m.role}`, input.limit, input.cursor);
      return { members: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) };
    },
  };
}
