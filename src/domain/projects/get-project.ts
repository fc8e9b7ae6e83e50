// getProject returns a project's id, name, owner and defaultRole (rule 18) to anyone who may view it.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { ref } from "../model.js";
import { formatOwner, requireProject } from "./project-owner.js";
import { DEFAULT_PROJECT_ROLE } from "./project-settings.js";

export function createGetProject(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getObject"> }) {
  return {
    async execute(input: { actor: Actor; projectId: string }) {
      const owner = await requireProject(deps.engine, input.projectId);
      await requirePermission(deps.engine, input.actor, ref("project", input.projectId), "view");
      const record = await deps.store.getObject("project", input.projectId);
      return {
        id: input.projectId,
        ...(record?.name !== undefined ? { name: record.name } : {}),
        owner: formatOwner(owner),
        defaultRole: record?.settings?.defaultRole ?? DEFAULT_PROJECT_ROLE,
      };
    },
  };
}
