// model: the product vocabulary the console offers in its pickers (PRODUCT.md §2). The server
// decides what is allowed; these lists only spare the user from typing names.
export const ORG_ROLES = ["member", "admin", "owner"] as const;
export const ORG_AREAS = ["general", "integrations", "members", "projects", "billing"] as const;
export const SCOPE_LEVELS = ["none", "view", "full"] as const;
export type Scopes = Partial<Record<(typeof ORG_AREAS)[number], (typeof SCOPE_LEVELS)[number]>>;
export const DEFAULT_SCOPES: Scopes = { general: "view", integrations: "none", members: "none", projects: "none", billing: "none" };

export const PROJECT_ROLES = ["admin", "manager", "editor", "viewer", "guest"] as const;
/** SETTINGS_SCOPES are the per-project settings scopes (rule 13); the organization's feature keys join them. */
export const SETTINGS_SCOPES = ["settings_general", "settings_members", "settings_data_sources", "settings_publishing"] as const;
/** ProjectScopes are a member's explicit per-project scopes; a scope left out follows the role. */
export type ProjectScopes = Record<string, (typeof SCOPE_LEVELS)[number]>;
/** ProjectAccess is one project of a member's or an invitation's access (rule 14). */
export interface ProjectAccess {
  project: string;
  role: string;
  scopes?: ProjectScopes;
}
export const CUSTOM_ROLE_PERMISSIONS = ["view", "view_members", "comment", "create", "edit", "delete", "manage_members", "manage_settings"] as const;
export const PROJECT_PERMISSIONS = [...CUSTOM_ROLE_PERMISSIONS, "manage_admins", "delete_project"] as const;
export const RESOURCE_ROLES = ["viewer", "editor"] as const;
export const RESOURCE_PERMISSIONS = ["view", "comment", "edit", "delete", "manage"] as const;
/** CONTAINER_PERMISSIONS: what a workspace or folder answers in its access list (rule 12). */
export const CONTAINER_PERMISSIONS = ["view", "comment", "edit", "create", "create_folder", "delete", "manage_access"] as const;

/** PERMISSIONS_BY_TYPE suggests permissions in the check-and-explain form. */
export const PERMISSIONS_BY_TYPE: Record<string, readonly string[]> = {
  organization: ["view", "view_members", "manage_members", "manage_groups", "manage_roles", "manage_admins", "manage_owners", "create_project", "manage_billing", "delete"],
  project: PROJECT_PERMISSIONS,
  resource: RESOURCE_PERMISSIONS,
  workspace: CONTAINER_PERMISSIONS,
  folder: CONTAINER_PERMISSIONS,
  group: ["member", "view", "manage"],
  role: ["view", "manage"],
};
