// listOrgAccess: who holds an organization permission and through what (owner, admin,
// member, a member's scope). Needs view_members on the organization.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { listAccess } from "./access-list.js";
import { hasPermission } from "../authorize.js";
import { engineCall, forbidden, notFound } from "../errors.js";
import { ORG_AREAS, ref } from "../model.js";

/** ORG_PERMISSIONS are the organization permissions (docs/rules.md). */
export const ORG_PERMISSIONS = [
  "view",
  ...ORG_AREAS.flatMap((area) => [`view_${area}`, `manage_${area}`]),
  "create_project",
  "manage_groups",
  "manage_roles",
  "manage_admins",
  "manage_owners",
  "delete",
] as const;

export function createListOrgAccess(deps: { engine: Pick<Engine, "check" | "readRelationships" | "lookupSubjects" | "explain"> }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; orgId: string; permission: string; limit: number; cursor?: string }) {
      const org = ref("organization", input.orgId);
      if (!(await hasPermission(engine, org, "view_members", input.actor.userId))) {
        const any = await engineCall(() => engine.readRelationships({ resourceType: "organization", resourceId: input.orgId }, { limit: 1 }));
        if (any.relationships.length === 0) throw notFound(`organization ${input.orgId} does not exist`);
        throw forbidden(`user:${input.actor.userId} lacks view_members on organization ${input.orgId}`);
      }
      const result = await listAccess(engine, { resource: org, permission: input.permission, limit: input.limit, cursor: input.cursor });
      return { organization: input.orgId, permission: input.permission, ...result };
    },
  };
}
