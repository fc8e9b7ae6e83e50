// grantProjectRole adds a member to a project or changes their role (PUT members/:subject).
// One subject holds one role per project: the old role goes in the same atomic write as the
// new one. Rules: manage_members to touch anyone; manage_admins to grant admin or to change
// an admin (rule 3); the personal owner stays admin (rule 1); org membership (rule 4);
// groups on organization projects only (rule 5); custom roles of the project's org (rule 7).
// A user removed from the project (rule 15) is let back in by the same write (lift).
// Per-project scopes go with the role (rule 13); a member added without a role gets the
// project's defaultRole (rule 18); on a personal project only a scale owner grants (rule 17).
// Accepting a project invitation grants through prepareProjectGrant and projectGrantChange too.
import type { Engine, Precondition, RelationshipUpdate } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange, type Change } from "../apply-change.js";
import { hasPermission, requirePermission } from "../authorize.js";
import { engineCall, forbidden, invalidRequest, invalidScope } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { readSubjectGrants, type RoleGrant } from "./project-grants.js";
import { orgFeatures } from "../organizations/org-features.js";
import { requireCustomRolesAllowed, requirePersonalGrantPlan } from "../plans/plan-rules.js";
import { projectDefaultRole } from "./project-settings.js";
import { readSubjectScopes, requireKnownScopes, scopeUpdates, type ProjectScopes } from "./project-scopes.js";
import { liftRemoval } from "./project-footprint.js";
import { projectStillExists, requireProject, type ProjectOwner } from "./project-owner.js";
import { formatRole, grantUpdates, parseProjectRole, requireUsableRole, type RoleChoice } from "./project-role.js";
import { formatMember, requireGrantableSubject, subjectRefOf, type MemberSubject } from "./project-subject.js";

export interface GrantProjectRoleInput {
  actor: Actor;
  projectId: string;
  subject: MemberSubject;
  /** Left out: the role they hold, or the project's defaultRole for a new member (rule 18). */
  role?: string;
  /** Explicit per-project scopes, replacing the subject's (rule 13); left out: unchanged. */
  scopes?: ProjectScopes;
  expiresAt?: Date;
}

export const MANAGER_CANNOT_TOUCH_ADMIN = "a manager cannot grant, change or remove an admin: that needs manage_admins on the project";

/**
 * requireMemberManager starts granting and removing members: the project must exist (404) and
 * the actor hold manage_members on it (403). It returns the project's owner.
 */
export async function requireMemberManager(engine: Pick<Engine, "check" | "readRelationships">, actor: Actor, projectId: string): Promise<ProjectOwner> {
  const owner = await requireProject(engine, projectId);
  await requirePermission(engine, actor, ref("project", projectId), "manage_members");
  return owner;
}

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

export function createGrantProjectRole(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "getObject" | "getPlan">; locks: KeyedMutex }) {
  const { engine, store } = deps;
  return {
    async execute(input: GrantProjectRoleInput) {
      const { actor, projectId, subject } = input;
      const project = ref("project", projectId);
      const owner = await requireMemberManager(engine, actor, projectId);
      // Rule 17: on a personal project only a scale owner's project takes direct grants.
      await requirePersonalGrantPlan(store, owner, projectId, "granting project members");
      const askedScopes = input.scopes && Object.keys(input.scopes).length > 0 ? input.scopes : undefined;
      if (askedScopes && owner.kind === "user") throw invalidScope(`per-project scopes exist only on organization projects; project ${projectId} is personal`, "scopes");
      const named = input.role === undefined ? undefined : parseProjectRole(input.role);
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw invalidRequest("expiresAt must be in the future", "expiresAt");
      return deps.locks.run(`project:${projectId}`, async () => {
        const subjectRef = subjectRefOf(subject);
        const held = named ? [] : await readSubjectGrants(engine, projectId, subjectRef);
        // Rule 18: without a role a member keeps the one they hold, and a new one gets the project's default.
        const keepRole = !named && held.length > 0 && !input.expiresAt;
        const choice = named ?? parseProjectRole(held[0]?.role ?? (await projectDefaultRole(store, projectId)));
        if (isPersonalOwner(owner, subject) && !(choice.kind === "builtin" && choice.role === "admin")) {
          throw forbidden(`user:${subject.id} owns personal project ${projectId} and is always its admin: they cannot be demoted`);
        }
        if (choice.kind === "custom" && owner.kind === "organization" && !keepRole) await requireCustomRolesAllowed(store, owner.id, `granting custom role ${choice.roleId}`);
        const { current, guard, lift } = await prepareProjectGrant(engine, { projectId, owner, subject, choice });
        const touchesAdmin = (choice.kind === "builtin" && choice.role === "admin") || current.some((g) => g.role === "admin");
        const mayManageAdmins = await hasPermission(engine, project, "manage_admins", actor.userId);
        if (touchesAdmin && !mayManageAdmins) throw forbidden(MANAGER_CANNOT_TOUCH_ADMIN);

        // Rule 13: `scopes` replaces the subject's explicit scopes (a scope left out follows the role).
        const scopes = input.scopes && owner.kind === "organization" ? requireKnownScopes(input.scopes, await orgFeatures(store, owner.id), "scopes") : undefined;
        const heldScopes = owner.kind === "organization" ? await readSubjectScopes(engine, projectId, subjectRef) : undefined;
        const change = projectGrantChange({ projectId, owner, subject, choice, current, expiresAt: input.expiresAt, guardAdmin: !mayManageAdmins, guard, lift });
        const updates = [...(keepRole ? (lift ?? []) : change.updates), ...(scopes && heldScopes ? scopeUpdates(projectId, subjectRef, heldScopes.relationships, scopes) : [])];
        const zedToken = updates.length > 0 ? (await applyChange(engine, { ...change, updates })).zedToken : await decisionToken(engine, projectId);
        const expiresAt = keepRole ? current.find((g) => g.role === formatRole(choice))?.relationship.expiresAt : input.expiresAt;
        return {
          subject: formatMember(subject),
          role: formatRole(choice),
          ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
          ...(heldScopes ? { scopes: scopes ?? heldScopes.scopes } : {}),
          zedToken,
        };
      });
    },
  };
}

/** decisionToken is the engine state a grant that changed nothing was decided at. */
async function decisionToken(engine: Pick<Engine, "readRelationships">, projectId: string): Promise<string> {
  return (await engineCall(() => engine.readRelationships({ resourceType: "project", resourceId: projectId }, { limit: 1 }))).zedToken;
}
