// updateProject changes a project's settings (PATCH /v1/projects/:project): its name and its
// defaultRole, the role of a member added without one (rule 18). Both are General settings of the
// project, so the actor needs manage_settings_general (managers and admins by default, or an
// explicit full settings_general scope, rule 13). The default role is any role a member could be
// given there, except admin: adding someone "without a role" never makes them an admin.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { auditDraft } from "../audit/audit-context.js";
import { requirePermission } from "../authorize.js";
import { engineCall, invalidRole } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { requireCustomRolesAllowed } from "../plans/plan-rules.js";
import { formatOwner, requireProject } from "./project-owner.js";
import { formatRole, parseProjectRole, requireUsableRole } from "./project-role.js";
import { DEFAULT_PROJECT_ROLE } from "./project-settings.js";

export function createUpdateProject(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getObject" | "putObject">; locks: KeyedMutex; now: () => Date }) {
  const { engine, store } = deps;
  return {
    async execute(input: { actor: Actor; projectId: string; changes: { name?: string; defaultRole?: string } }) {
      const { projectId, changes } = input;
      const owner = await requireProject(engine, projectId);
      await requirePermission(engine, input.actor, ref("project", projectId), "manage_settings_general");
      let defaultRole: string | undefined;
      if (changes.defaultRole !== undefined) {
        const choice = parseProjectRole(changes.defaultRole);
        if (choice.kind === "builtin" && choice.role === "admin") throw invalidRole("defaultRole cannot be admin: a member added without a role is never made an admin");
        await requireUsableRole(engine, owner, choice, projectId);
        if (choice.kind === "custom" && owner.kind === "organization") await requireCustomRolesAllowed(store, owner.id, `defaultRole ${formatRole(choice)}`);
        defaultRole = formatRole(choice);
      }
      // Serialized per project: the record is read, changed and written back.
      return deps.locks.run(`project:${projectId}`, async () => {
        const current = await store.getObject("project", projectId);
        const name = changes.name ?? current?.name;
        const settings = defaultRole === undefined ? current?.settings : { ...current?.settings, defaultRole };
        const target = `project:${projectId}`;
        const at = deps.now();
        const audit = auditDraft({ at, target, detail: { name: name ?? null, defaultRole: settings?.defaultRole ?? DEFAULT_PROJECT_ROLE }, objects: [target] });
        await store.putObject({ kind: "project", id: projectId, name, ...(settings ? { settings } : {}), createdAt: current?.createdAt ?? at }, audit);
        // NOTE: only app state changed; the token is the engine state the decision was made at.
        const { zedToken } = await engineCall(() => engine.readRelationships({ resourceType: "project", resourceId: projectId }, { limit: 1 }));
        return {
          id: projectId,
          ...(name !== undefined ? { name } : {}),
          owner: formatOwner(owner),
          defaultRole: settings?.defaultRole ?? DEFAULT_PROJECT_ROLE,
          zedToken,
        };
      });
    },
  };
}
