// readProjectPermissions answers "what can this subject do here": every project permission
// in ONE checkBulk call. Needs view_members, unless users ask about themselves.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { engineCall } from "../errors.js";
import { PROJECT_PERMISSIONS, ref } from "../model.js";
import { requireProject } from "./project-owner.js";
import { formatMember, subjectRefOf, type MemberSubject } from "./project-subject.js";

export function createReadProjectPermissions(deps: { engine: Pick<Engine, "check" | "checkBulk" | "readRelationships"> }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; projectId: string; subject: MemberSubject }) {
      const project = ref("project", input.projectId);
      await requireProject(engine, input.projectId);
      const self = input.subject.type === "user" && input.subject.id === input.actor.userId;
      if (!self) await requirePermission(engine, input.actor, project, "view_members");
      const subject = subjectRefOf(input.subject);
      const { results, zedToken } = await engineCall(() => engine.checkBulk(PROJECT_PERMISSIONS.map((permission) => ({ resource: project, permission, subject }))));
      const permissions: Record<string, boolean> = {};
      PROJECT_PERMISSIONS.forEach((permission, i) => {
        const r = results[i];
        permissions[permission] = r?.ok === true && r.result.permissionship === "allowed";
      });
      return { project: input.projectId, subject: formatMember(input.subject), permissions, zedToken };
    },
  };
}
