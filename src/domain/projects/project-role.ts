// projectRole: the role a grant names — a built-in role or `role:<id>`, a custom role of the
// project's organization — and the relationships that hold it for one subject.
import type { Engine, RelationshipUpdate, SubjectRef } from "../../engine/engine.js";
import { engineCall, invalidRole } from "../errors.js";
import { PROJECT_ROLES, bindingId, ref, relationship, type ProjectRole } from "../model.js";
import type { ProjectOwner } from "./project-owner.js";

export type RoleChoice = { kind: "builtin"; role: ProjectRole } | { kind: "custom"; roleId: string };

const CUSTOM = /^role:([A-Za-z0-9_-]{1,128})$/;

/** parseProjectRole reads a role name; anything else is 422 invalid_role. */
export function parseProjectRole(role: string): RoleChoice {
  if ((PROJECT_ROLES as readonly string[]).includes(role)) return { kind: "builtin", role: role as ProjectRole };
  const custom = CUSTOM.exec(role);
  if (custom) return { kind: "custom", roleId: custom[1]! };
  throw invalidRole(`role must be one of ${PROJECT_ROLES.join(", ")} or role:<customRoleId>; got ${JSON.stringify(role.slice(0, 140))}`);
}

export const formatRole = (choice: RoleChoice) => (choice.kind === "builtin" ? choice.role : `role:${choice.roleId}`);

/** requireUsableRole checks that a custom role exists and belongs to the project's organization (rule 7). */
export async function requireUsableRole(engine: Pick<Engine, "readRelationships">, owner: ProjectOwner, choice: RoleChoice, projectId: string): Promise<void> {
  if (choice.kind === "builtin") return;
  if (owner.kind === "user") throw invalidRole(`custom roles exist only in organizations; project ${projectId} is personal`);
  const page = await engineCall(() => engine.readRelationships({ resourceType: "role", resourceId: choice.roleId, relation: "organization" }, { limit: 1 }));
  const roleOrg = page.relationships[0]?.subject.id;
  if (!roleOrg) throw invalidRole(`custom role ${choice.roleId} does not exist`);
  if (roleOrg !== owner.id) throw invalidRole(`custom role ${choice.roleId} belongs to organization ${roleOrg}, not to ${owner.id}`);
}

/**
 * grantUpdates writes the role for the subject: a built-in role is one project relation; a
 * custom role is a holder of the project's binding for it, with the binding touched into place.
 */
export function grantUpdates(projectId: string, choice: RoleChoice, subject: SubjectRef, expiresAt?: Date): RelationshipUpdate[] {
  const project = ref("project", projectId);
  if (choice.kind === "builtin") return [{ operation: "touch", relationship: relationship(project, choice.role, subject, expiresAt) }];
  const binding = ref("role_binding", bindingId(projectId, choice.roleId));
  return [
    { operation: "touch", relationship: relationship(project, "binding", binding) },
    { operation: "touch", relationship: relationship(binding, "role", ref("role", choice.roleId)) },
    { operation: "touch", relationship: relationship(binding, "holder", subject, expiresAt) },
  ];
}
