// shareResource grants a user or group viewer or editor on one resource (a direct grant:
// the only way a project guest sees anything). Needs resource `manage` (the project's
// manage_members); rules 4 and 5 apply as for project roles. One grant per subject: the
// other role goes in the same write.
import type { Engine, RelationshipUpdate } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { invalidRequest } from "../errors.js";
import { ref, relationship } from "../model.js";
import { requireProject } from "../projects/project-owner.js";
import { formatMember, requireGrantableSubject, subjectRefOf, type MemberSubject } from "../projects/project-subject.js";
import { parseResourceRole, readResourceGrants, requireResource } from "./resource-project.js";

export function createShareResource(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write"> }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; resourceId: string; subject: MemberSubject; role: string; expiresAt?: Date }) {
      const { resourceId, subject } = input;
      const resource = ref("resource", resourceId);
      const projectId = await requireResource(engine, resourceId);
      const owner = await requireProject(engine, projectId);
      await requirePermission(engine, input.actor, resource, "manage");
      const role = parseResourceRole(input.role);
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw invalidRequest("expiresAt must be in the future", "expiresAt");
      const guard = await requireGrantableSubject(engine, owner, subject, projectId);
      const subjectRef = subjectRefOf(subject);
      const current = await readResourceGrants(engine, resourceId, subjectRef);
      const updates: RelationshipUpdate[] = [
        ...current.filter((r) => r.relation !== role).map((r): RelationshipUpdate => ({ operation: "delete", relationship: r })),
        { operation: "touch", relationship: relationship(resource, role, subjectRef, input.expiresAt) },
      ];
      const written = await applyChange(engine, {
        updates,
        preconditions: [{ operation: "must_exist", filter: { resourceType: "resource", resourceId, relation: "project", subject: { type: "project", id: projectId } } }, ...guard],
      });
      return {
        resource: resourceId,
        subject: formatMember(subject),
        role,
        ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}),
        zedToken: written.zedToken,
      };
    },
  };
}
