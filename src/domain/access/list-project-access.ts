// listProjectAccess: who holds a project permission and through what (direct role, group,
// custom role, organization bypass, personal owner). Needs view_members on the project. The
// permission may be a per-project scope (rule 13): view_<scope> / manage_<scope> of a settings
// scope, or of a feature key of the organization, asked of its project_feature object.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { listAccess } from "./access-list.js";
import { requirePermission } from "../authorize.js";
import { invalidScope } from "../errors.js";
import { PROJECT_PERMISSIONS, ref } from "../model.js";
import { orgFeatures } from "../organizations/org-features.js";
import { requireProject, type ProjectOwner } from "../projects/project-owner.js";
import { featureCheck, isSettingsScope } from "../projects/project-scopes.js";

const SCOPE_PERMISSION = /^(view|manage)_([a-z][a-z0-9_]*)$/;

/** requireKnownPermission: a project permission, or view_/manage_ of a scope the project has (422 invalid_scope). */
async function requireKnownPermission(store: Pick<Store, "getObject">, owner: ProjectOwner, permission: string): Promise<void> {
  if ((PROJECT_PERMISSIONS as readonly string[]).includes(permission)) return;
  const scope = SCOPE_PERMISSION.exec(permission)?.[2];
  if (scope && isSettingsScope(scope)) return;
  if (scope && owner.kind === "organization" && (await orgFeatures(store, owner.id)).includes(scope)) return;
  throw invalidScope(`${permission} is neither a project permission nor view_/manage_ of a settings scope or of a feature key of the project's organization`, "query.permission");
}

export function createListProjectAccess(deps: { engine: Pick<Engine, "check" | "readRelationships" | "lookupSubjects" | "explain">; store: Pick<Store, "getObject"> }) {
  return {
    async execute(input: { actor: Actor; projectId: string; permission: string; limit: number; cursor?: string }) {
      const project = ref("project", input.projectId);
      const owner = await requireProject(deps.engine, input.projectId);
      await requirePermission(deps.engine, input.actor, project, "view_members");
      await requireKnownPermission(deps.store, owner, input.permission);
      const asked = featureCheck({ resource: project, permission: input.permission });
      const result = await listAccess(deps.engine, { resource: asked.resource, permission: asked.permission, limit: input.limit, cursor: input.cursor });
      return { project: input.projectId, permission: input.permission, ...result };
    },
  };
}
