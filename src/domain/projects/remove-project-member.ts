// removeProjectMember takes a subject's role(s) off a project, built-in and custom. A manager
// cannot remove an admin (rule 3); the personal owner cannot be removed (rule 1). Resource
// grants are separate shares and stay (DELETE /v1/resources/:r/members/:s ends those).
import type { Engine, RelationshipUpdate } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { hasPermission, requirePermission } from "../authorize.js";
import { forbidden, notFound } from "../errors.js";
import { MANAGER_CANNOT_TOUCH_ADMIN, adminUntouched, isPersonalOwner } from "./grant-project-role.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { readSubjectGrants } from "./project-grants.js";
import { requireProject } from "./project-owner.js";
import { formatMember, subjectRefOf, type MemberSubject } from "./project-subject.js";

export function createRemoveProjectMember(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; locks: KeyedMutex }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; projectId: string; subject: MemberSubject }) {
      const { actor, projectId, subject } = input;
      const project = ref("project", projectId);
      const owner = await requireProject(engine, projectId);
      await requirePermission(engine, actor, project, "manage_members");
      if (isPersonalOwner(owner, subject)) {
        throw forbidden(`user:${subject.id} owns personal project ${projectId} and is always its admin: they cannot be removed`);
      }
      return deps.locks.run(`project:${projectId}`, async () => {
        const current = await readSubjectGrants(engine, projectId, subjectRefOf(subject));
        if (current.length === 0) throw notFound(`${formatMember(subject)} holds no role on project ${projectId}`);
        const mayManageAdmins = await hasPermission(engine, project, "manage_admins", actor.userId);
        if (current.some((g) => g.role === "admin") && !mayManageAdmins) throw forbidden(MANAGER_CANNOT_TOUCH_ADMIN);
        const updates = current.map((g): RelationshipUpdate => ({ operation: "delete", relationship: g.relationship }));
        const written = await applyChange(engine, { updates, preconditions: mayManageAdmins ? [] : [adminUntouched(projectId, subject)] });
        return { subject: formatMember(subject), removed: current.map((g) => g.role), zedToken: written.zedToken };
      });
    },
  };
}
