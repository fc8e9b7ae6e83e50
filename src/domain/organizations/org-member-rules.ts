// org-member-rules: the rules shared by changing and removing org members — the updates that
// take a member from stored to desired role and scopes, the scope ceiling of a scoped manager,
// and the never-zero-owners guard.
import type { Engine, Precondition, RelationshipUpdate } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { hasPermission } from "../authorize.js";
import { forbidden, preconditionFailed } from "../errors.js";
import { ORG_AREAS, ORG_ROLES, ref, relationship, scopeRelation, userRef, type OrgRole, type ScopeLevel, type Scopes } from "../model.js";
import { readRoleHolders, type GraphReader, type Membership } from "./organization-graph.js";

const LEVEL_RANK: Record<ScopeLevel, number> = { none: 0, view: 1, full: 2 };
const MEMBERSHIP_RELATIONS = new Set<string>([
  ...ORG_ROLES,
  ...ORG_AREAS.flatMap((area) => [scopeRelation(area, "view"), scopeRelation(area, "full")]),
]);

/**
 * membershipUpdates diffs the stored role and scope tuples against the desired ones: one
 * role relation, one relation per area whose level is not none (`full` implies `view` in the
 * schema). Only tuples that exist are deleted and only missing ones written, so the inverse
 * of the write (applyChange's compensation) restores exactly what was there.
 */
export function membershipUpdates(orgId: string, current: Membership, desired: { role: OrgRole; scopes: Scopes }): RelationshipUpdate[] {
  const org = ref("organization", orgId);
  const wanted = new Set<string>([desired.role]);
  for (const area of ORG_AREAS) {
    const level = desired.scopes[area];
    if (level !== "none") wanted.add(scopeRelation(area, level));
  }
  const stored = current.relationships.filter((r) => MEMBERSHIP_RELATIONS.has(r.relation));
  const have = new Set(stored.map((r) => r.relation));
  const updates: RelationshipUpdate[] = stored
    .filter((r) => !wanted.has(r.relation))
    .map((r) => ({ operation: "delete", relationship: r }));
  for (const relation of wanted) {
    if (!have.has(relation)) updates.push({ operation: "touch", relationship: relationship(org, relation, userRef(current.userId)) });
  }
  return updates;
}

/**
 * requireScopesWithinActor: a member who manages members through the `members` scope (not an
 * admin or owner) may raise another member's area only up to their own level there, so the
 * members scope cannot be turned into billing or projects rights (no self-escalation either).
 */
export async function requireScopesWithinActor(
  engine: Pick<Engine, "check">,
  actor: Actor,
  orgId: string,
  from: Scopes,
  to: Scopes,
): Promise<void> {
  const org = ref("organization", orgId);
  const raised = ORG_AREAS.filter((area) => LEVEL_RANK[to[area]] > LEVEL_RANK[from[area]]);
  if (raised.length === 0 || (await hasPermission(engine, org, "manage_admins", actor.userId))) return;
  for (const area of raised) {
    const permission = to[area] === "full" ? `manage_${area}` : `view_${area}`;
    if (!(await hasPermission(engine, org, permission, actor.userId))) {
      throw forbidden(`user:${actor.userId} cannot grant ${area}=${to[area]}: it exceeds their own ${area} scope`);
    }
  }
}

/** roleFilter selects one user's tuple of one org role. */
export const roleFilter = (orgId: string, role: OrgRole, userId: string) => ({
  resourceType: "organization",
  resourceId: orgId,
  relation: role,
  subject: { type: "user", id: userId },
});

/** requireOtherOwner returns the precondition that keeps an owner besides `userId` (409 if none). */
export async function requireOtherOwner(engine: GraphReader, orgId: string, userId: string): Promise<Precondition> {
  const others = (await readRoleHolders(engine, orgId, "owner")).filter((id) => id !== userId);
  if (others.length === 0) throw preconditionFailed(`user:${userId} is the last owner of organization:${orgId}; an organization can never be left without an owner`);
  // NOTE: preconditions cannot say "some other owner"; pinning one is safe (a race fails the write, never leaves zero owners).
  return { operation: "must_exist", filter: roleFilter(orgId, "owner", others[0]!) };
}
