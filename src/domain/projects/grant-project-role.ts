// grantProjectRole adds a member to a project or changes their role (PUT members/:subject).
// One subject holds one role per project: the old role goes in the same atomic write as the
// new one. Rules: manage_members to touch anyone; manage_admins to grant admin or to change
// an admin (rule 3); the personal owner stays admin (rule 1); org membership (rule 4);
// groups on organization projects only (rule 5); custom roles of the project's org (rule 7).
// A user removed from the project (rule 15) is let back in by the same write (lift).
// Accepting a project invitation grants through prepareProjectGrant and projectGrantChange too.
import type { Engine, Precondition, RelationshipUpdate } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange, type Change } from "../apply-change.js";
import { hasPermission, requirePermission } from "../authorize.js";
import { forbidden, invalidRequest } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { readSubjectGrants, type RoleGrant } from "./project-grants.js";
import { liftRemoval } from "./project-footprint.js";
import { projectStillExists, requireProject, type ProjectOwner } from "./project-owner.js";
import { formatRole, grantUpdates, parseProjectRole, requireUsableRole, type RoleChoice } from "./project-role.js";
import { formatMember, requireGrantableSubject, subjectRefOf, type MemberSubject } from "./project-subject.js";

export interface GrantProjectRoleInput {
  actor: Actor;
  projectId: string;
  subject: MemberSubject;
  role: string;
  expiresAt?: Date;
}

export const MANAGER_CANNOT_TOUCH_ADMIN = "a manager cannot grant, change or remove an admin: that needs manage_admins on the project";

/** isPersonalOwner: the owner of a personal project is always its admin (rule 1). */
export const isPersonalOwner = (owner: ProjectOwner, subject: MemberSubject) => owner.kind === "user" && subject.type === "user" && subject.id === owner.id;

/** adminUntouched guards rule 3 across replicas: the subject must not have become admin meanwhile. */
export const adminUntouched = (projectId: string, subject: MemberSubject): Precondition => {
  const s = subjectRefOf(subject);
  return {
    operation: "must_not_exist",
    filter: { resourceType: "project", resourceId: projectId, relation: "admin", subject: { type: s.type, id: s.id, ...(s.relation ? { relation: s.relation } : {}) } },
  };
};

/**
 * prepareProjectGrant applies rules 4, 5 and 7 to a grant of `choice` to `subject` and reads
 * the roles the subject holds there now (normally none or one), with the preconditions that
 * keep rules 4 and 5 true until the grant is written (`guard`) and the update that ends a
 * removed user's exclusion from the project (`lift`, rule 15).
 */
export async function prepareProjectGrant(
  engine: Pick<Engine, "check" | "readRelationships">,
  input: { projectId: string; owner: ProjectOwner; subject: MemberSubject; choice: RoleChoice },
): Promise<{ current: RoleGrant[]; guard: Precondition[]; lift: RelationshipUpdate[] }> {
  const guard = await requireGrantableSubject(engine, input.owner, input.subject, input.projectId);
  await requireUsableRole(engine, input.owner, input.choice, input.projectId);
  const [current, lift] = await Promise.all([readSubjectGrants(engine, input.projectId, subjectRefOf(input.subject)), liftRemoval(engine, input.projectId, input.subject)]);
  return { current, guard, lift };
}

/**
 * projectGrantChange makes `choice` the subject's one role on the project: the old role goes in
 * the same write. It lands only while the project exists and, when `guardAdmin` (the actor
 * may not manage admins), while the subject has not become an admin meanwhile.
 */
export function projectGrantChange(input: {
  projectId: string;
  owner: ProjectOwner;
  subject: MemberSubject;
  choice: RoleChoice;
  current: RoleGrant[];
  expiresAt?: Date;
  guardAdmin: boolean;
  /** From prepareProjectGrant: the subject is still an org member (or the group still the org's). */
  guard: Precondition[];
  /** From prepareProjectGrant: ends the subject's exclusion from the project (rule 15). */
  lift?: RelationshipUpdate[];
}): Change {
  const role = formatRole(input.choice);
  const updates: RelationshipUpdate[] = [
    ...input.current.filter((g) => g.role !== role).map((g): RelationshipUpdate => ({ operation: "delete", relationship: g.relationship })),
    ...grantUpdates(input.projectId, input.choice, subjectRefOf(input.subject), input.expiresAt),
    ...(input.lift ?? []),
  ];
  const preconditions = [projectStillExists(input.projectId, input.owner), ...input.guard, ...(input.guardAdmin ? [adminUntouched(input.projectId, input.subject)] : [])];
  return { updates, preconditions };
}

export function createGrantProjectRole(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; locks: KeyedMutex }) {
  const { engine } = deps;
  return {
    async execute(input: GrantProjectRoleInput) {
      const { actor, projectId, subject } = input;
      const project = ref("project", projectId);
      const owner = await requireProject(engine, projectId);
      await requirePermission(engine, actor, project, "manage_members");
      const choice = parseProjectRole(input.role);
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw invalidRequest("expiresAt must be in the future", "expiresAt");
      if (isPersonalOwner(owner, subject) && !(choice.kind === "builtin" && choice.role === "admin")) {
        throw forbidden(`user:${subject.id} owns personal project ${projectId} and is always its admin: they cannot be demoted`);
      }
      return deps.locks.run(`project:${projectId}`, async () => {
        const { current, guard, lift } = await prepareProjectGrant(engine, { projectId, owner, subject, choice });
        const touchesAdmin = (choice.kind === "builtin" && choice.role === "admin") || current.some((g) => g.role === "admin");
        const mayManageAdmins = await hasPermission(engine, project, "manage_admins", actor.userId);
        if (touchesAdmin && !mayManageAdmins) throw forbidden(MANAGER_CANNOT_TOUCH_ADMIN);

        const change = projectGrantChange({ projectId, owner, subject, choice, current, expiresAt: input.expiresAt, guardAdmin: !mayManageAdmins, guard, lift });
        const written = await applyChange(engine, change);
        return {
          subject: formatMember(subject),
          role: formatRole(choice),
          ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}),
          zedToken: written.zedToken,
        };
      });
    },
  };
}
