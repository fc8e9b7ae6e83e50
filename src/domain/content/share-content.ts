// shareContent grants a user or group viewer or editor on a workspace or folder (rule 12): the
// grant reaches everything below it. Needs `manage_access` there: project admins anywhere
// ("manage all workspace and content access"), project editors+ where they hold an editor
// grant (on it or above). Rules 4 and 5 apply as for project roles. One grant per subject: the
// other role goes in the same atomic write, and so does the end of a removed user's exclusion
// from the project (rule 15: being granted something again lets them back in). On a personal
// project only an owner on the scale plan shares (rule 17: 403 plan_required).
import type { Engine, RelationshipUpdate } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { invalidRequest } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref, relationship } from "../model.js";
import { readAll } from "../organizations/organization-graph.js";
import { requirePersonalGrantPlan } from "../plans/plan-rules.js";
import { liftRemoval } from "../projects/project-footprint.js";
import { requireProject } from "../projects/project-owner.js";
import { formatMember, requireGrantableSubject, subjectRefOf, type MemberSubject } from "../projects/project-subject.js";
import { CONTENT_ROLES, contentAnchor, parseContentRole, requireContent, type ContentRef } from "./content-graph.js";

export interface ShareInput {
  actor: Actor;
  item: ContentRef;
  subject: MemberSubject;
  role: string;
  expiresAt?: Date;
}

/** ShareDeps: the engine, the project locks, and the plans (rule 17). */
export type ShareDeps = { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "getPlan">; locks: KeyedMutex };

/** readContentGrants lists the subject's own grants (viewer/editor) on a workspace, folder or resource. */
export async function readContentGrants(engine: Pick<Engine, "readRelationships">, item: ContentRef, subject: MemberSubject) {
  const s = subjectRefOf(subject);
  const rels = await readAll(engine, { resourceType: item.type, resourceId: item.id, subject: { type: s.type, id: s.id, ...(s.relation ? { relation: s.relation } : {}) } });
  return rels.filter((r) => (CONTENT_ROLES as readonly string[]).includes(r.relation));
}

/** shareContentItem is the share of any content object; resources use it with their own permission. */
export async function shareContentItem(deps: ShareDeps, input: ShareInput, permission: string) {
  const { engine } = deps;
  const { item, subject } = input;
  const projectId = await requireContent(engine, item);
  const owner = await requireProject(engine, projectId);
  await requirePermission(engine, input.actor, ref(item.type, item.id), permission);
  // Rule 17: on a personal project only a scale owner's project takes direct shares.
  await requirePersonalGrantPlan(deps.store, owner, projectId, `sharing ${item.type} ${item.id}`);
  const role = parseContentRole(input.role, item.type);
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw invalidRequest("expiresAt must be in the future", "expiresAt");
  // Under the project's lock: a removal (rule 15) reads and deletes grants under it too.
  return deps.locks.run(`project:${projectId}`, async () => {
    const guard = await requireGrantableSubject(engine, owner, subject, projectId);
    const [current, lift] = await Promise.all([readContentGrants(engine, item, subject), liftRemoval(engine, projectId, subject)]);
    const updates: RelationshipUpdate[] = [
      ...current.filter((r) => r.relation !== role).map((r): RelationshipUpdate => ({ operation: "delete", relationship: r })),
      { operation: "touch", relationship: relationship(ref(item.type, item.id), role, subjectRefOf(subject), input.expiresAt) },
      ...lift,
    ];
    const written = await applyChange(engine, { updates, preconditions: [contentAnchor(item, projectId), ...guard] });
    return {
      project: projectId,
      subject: formatMember(subject),
      role,
      ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}),
      zedToken: written.zedToken,
    };
  });
}

export function createShareContent(deps: ShareDeps) {
  return {
    async execute(input: ShareInput & { item: { type: "workspace" | "folder"; id: string } }) {
      const shared = await shareContentItem(deps, input, "manage_access");
      return { [input.item.type]: input.item.id, ...shared };
    },
  };
}
