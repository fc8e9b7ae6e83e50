// model names the parts of schema.zed that product code writes and reads, in one place, so
// a relation is spelled once. See schema.zed for what each one means.
import type { ObjectRef, Relationship, SubjectRef } from "../engine/engine.js";

export const ORG_ROLES = ["owner", "admin", "member"] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export const ORG_AREAS = ["general", "integrations", "members", "projects", "billing"] as const;
export type OrgArea = (typeof ORG_AREAS)[number];
export type ScopeLevel = "none" | "view" | "full";
export type Scopes = Record<OrgArea, ScopeLevel>;

/** DEFAULT_SCOPES of a new member: general=view, the rest none (docs/rules.md). */
export const DEFAULT_SCOPES: Scopes = { general: "view", integrations: "none", members: "none", projects: "none", billing: "none" };

/** scopeRelation is the organization relation that stores one area's scope level. */
export const scopeRelation = (area: OrgArea, level: Exclude<ScopeLevel, "none">) => `${area}_${level}`;

/** Built-in project roles, weakest first. */
export const PROJECT_ROLES = ["guest", "viewer", "editor", "manager", "admin"] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

/** Project permissions a custom role may hold (never manage_admins or delete_project). */
export const CUSTOM_ROLE_PERMISSIONS = ["view", "view_members", "comment", "create", "edit", "delete", "manage_members", "manage_settings"] as const;
export type CustomRolePermission = (typeof CUSTOM_ROLE_PERMISSIONS)[number];
export const customRoleRelation = (permission: CustomRolePermission) => `perm_${permission}`;

/** Every project permission, for "what can this subject do here". */
export const PROJECT_PERMISSIONS = ["view", "view_members", "comment", "create", "edit", "delete", "manage_members", "manage_settings", "manage_admins", "delete_project"] as const;

export const RESOURCE_ROLES = ["viewer", "editor"] as const;
export type ResourceRole = (typeof RESOURCE_ROLES)[number];

/** bindingId names the role_binding object that holds one custom role on one project. */
export const bindingId = (projectId: string, roleId: string) => `${projectId}|${roleId}`;
export const parseBindingId = (id: string) => {
  const [projectId, roleId] = id.split("|");
  return { projectId: projectId!, roleId: roleId! };
};

export const ref = (type: string, id: string): ObjectRef => ({ type, id });
export const userRef = (id: string): SubjectRef => ({ type: "user", id });
export const groupMembers = (groupId: string): SubjectRef => ({ type: "group", id: groupId, relation: "member" });

export function relationship(resource: ObjectRef, relation: string, subject: SubjectRef, expiresAt?: Date): Relationship {
  return expiresAt ? { resource, relation, subject, expiresAt } : { resource, relation, subject };
}
