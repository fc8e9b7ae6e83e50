// removeProjectMember removes a subject from a project (rule 15): their role(s), built-in and
// custom, their grants on every workspace, folder and resource of the project, their per-project
// scopes and their pending invitations to it — in one atomic engine write, the invitations ended
// in the same unit of work (undone together if that fails). For a user whom a group of theirs
// still reaches in the project, the same write adds `project:p#removed@user:u`, which the schema
// subtracts from every path but the organization's admin/owner bypass, so group-derived access
// ends too without taking them out of groups that other projects use. A manager cannot remove
// an admin (rule 3); the personal owner cannot be removed (rule 1).
import type { Engine, RelationshipUpdate } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { hasPermission } from "../authorize.js";
import { engineCall, forbidden, notFound } from "../errors.js";
import { MANAGER_CANNOT_TOUCH_ADMIN, adminUntouched, isPersonalOwner, requireMemberManager } from "./grant-project-role.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { MAX_WRITE, relationshipKey } from "../organizations/organization-cascade.js";
import { groupsReaching, holdsAnything, readContentIds, readFootprint, removedRelationship } from "./project-footprint.js";
import { projectStillExists } from "./project-owner.js";
import { formatMember, subjectRefOf, type MemberSubject } from "./project-subject.js";
import { revokePendingProjectInvitation } from "./project-invitation-end.js";

export function createRemoveProjectMember(deps: {
  engine: Pick<Engine, "check" | "readRelationships" | "write" | "lookupResources">;
  store: Pick<Store, "listPendingInvitationsFor" | "updateInvitation">;
  locks: KeyedMutex;
  now: () => Date;
}) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; projectId: string; subject: MemberSubject }) {
      const { actor, projectId, subject } = input;
      const project = ref("project", projectId);
      const owner = await requireMemberManager(engine, actor, projectId);
      if (isPersonalOwner(owner, subject)) {
        throw forbidden(`user:${subject.id} owns personal project ${projectId} and is always its admin: they cannot be removed`);
      }
      return deps.locks.run(`project:${projectId}`, async () => {
        const content = await readContentIds(engine, projectId);
        const footprint = await readFootprint(engine, projectId, content, subjectRefOf(subject));
        const mayManageAdmins = await hasPermission(engine, project, "manage_admins", actor.userId);
        if (footprint.roles.some((g) => g.role === "admin") && !mayManageAdmins) throw forbidden(MANAGER_CANNOT_TOUCH_ADMIN);
        // The exclusion is written only where a group of theirs still reaches the project.
        const groups =
          subject.type === "user" && owner.kind === "organization" && footprint.removed.length === 0
            ? await groupsReaching(engine, { orgId: owner.id, projectId, userId: subject.id, content })
            : [];
        if (!holdsAnything(footprint) && groups.length === 0) throw notFound(`${formatMember(subject)} holds nothing on project ${projectId}`);

        const doomed = [...footprint.content, ...footprint.scopes, ...footprint.roles.map((g) => g.relationship)];
        const seen = new Set<string>();
        const updates: RelationshipUpdate[] = doomed
          .filter((r) => !seen.has(relationshipKey(r)) && seen.add(relationshipKey(r)))
          .map((relationship) => ({ operation: "delete", relationship }));
        // First, so that a removal too large for one write cuts group-derived access at once.
        if (groups.length > 0) updates.unshift({ operation: "touch", relationship: removedRelationship(projectId, subject.id) });
        const preconditions = [projectStillExists(projectId, owner), ...(mayManageAdmins ? [] : [adminUntouched(projectId, subject)])];
        let invitations = 0;
        const endInvitation = async () => {
          invitations = await revokePendingProjectInvitation(deps.store, { projectId, subject, at: deps.now(), by: actor.userId });
        };
        let zedToken: string;
        if (updates.length <= MAX_WRITE) {
          zedToken = (await applyChange(engine, { updates, preconditions, then: endInvitation })).zedToken;
        } else {
          // NOTE: past SpiceDB's 1,000 updates a write is chunked, the exclusion in the first
          // chunk; a request that failed half-way can simply be sent again.
          zedToken = "";
          for (let i = 0; i < updates.length; i += MAX_WRITE) {
            zedToken = (await engineCall(() => engine.write(updates.slice(i, i + MAX_WRITE), preconditions), "body")).zedToken;
          }
          await endInvitation();
        }
        return {
          subject: formatMember(subject),
          removed: footprint.roles.map((g) => g.role),
          content: footprint.content.map((r) => `${r.resource.type}:${r.resource.id}#${r.relation}`),
          scopes: footprint.scopes.map((r) => `${r.resource.type}:${r.resource.id}#${r.relation}`),
          invitations,
          excluded: groups.length > 0 || footprint.removed.length > 0,
          ...(groups.length > 0 ? { groups: groups.sort().map((g) => `group:${g}`) } : {}),
          zedToken,
        };
      });
    },
  };
}
