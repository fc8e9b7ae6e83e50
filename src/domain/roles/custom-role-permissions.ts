// custom-role-permissions checks a custom role's permission set (rule 7) and turns it into
// the role's perm_* tuples; every holder reads the role through them, so one write changes all.
import type { Relationship, RelationshipUpdate } from "../../engine/engine.js";
import { invalidRole } from "../errors.js";
import { CUSTOM_ROLE_PERMISSIONS, customRoleRelation, ref, relationship, type CustomRolePermission } from "../model.js";

const ALLOWED = new Set<string>(CUSTOM_ROLE_PERMISSIONS);
const ANY_USER = { type: "user", id: "*" };

/** requireCustomRolePermissions: only project permissions a custom role may hold (422 invalid_role otherwise). */
export function requireCustomRolePermissions(permissions: string[]): CustomRolePermission[] {
  const refused = permissions.filter((p) => !ALLOWED.has(p));
  if (refused.length > 0) {
    throw invalidRole(`a custom role may hold only ${CUSTOM_ROLE_PERMISSIONS.join(", ")}; not ${refused.join(", ")}`);
  }
  // Canonical order, no duplicates.
  return CUSTOM_ROLE_PERMISSIONS.filter((p) => permissions.includes(p));
}

/** permissionsOf reads a role's permission set back from its tuples. */
export function permissionsOf(tuples: Relationship[]): CustomRolePermission[] {
  const relations = new Set(tuples.map((t) => t.relation));
  return CUSTOM_ROLE_PERMISSIONS.filter((p) => relations.has(customRoleRelation(p)));
}

/** permissionUpdates diffs stored perm_* tuples against the wanted set (only real changes, so compensation is exact). */
export function permissionUpdates(roleId: string, stored: Relationship[], wanted: CustomRolePermission[]): RelationshipUpdate[] {
  const want = new Set(wanted.map(customRoleRelation));
  const permTuples = stored.filter((t) => t.relation.startsWith("perm_"));
  const have = new Set(permTuples.map((t) => t.relation));
  const updates: RelationshipUpdate[] = permTuples.filter((t) => !want.has(t.relation)).map((t) => ({ operation: "delete", relationship: t }));
  for (const relation of want) {
    if (!have.has(relation)) updates.push({ operation: "touch", relationship: relationship(ref("role", roleId), relation, ANY_USER) });
  }
  return updates;
}
