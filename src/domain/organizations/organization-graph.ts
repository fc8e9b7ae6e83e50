// organization-graph reads the structure of organizations from the engine: which objects an
// organization owns, who holds which org role and scopes. Structure lives only in the engine;
// these reads are what the organization, group and custom-role use-cases decide on.
import type { Engine, Relationship, RelationshipFilter } from "../../engine/engine.js";
import { engineCall, notFound } from "../errors.js";
import { DEFAULT_SCOPES, ORG_AREAS, ORG_ROLES, ref, scopeRelation, type OrgRole, type Scopes } from "../model.js";

export type GraphReader = Pick<Engine, "readRelationships">;

const PAGE = 1000;

/**
 * readAll reads every relationship matching the filter.
 * NOTE: pages are read fully consistent: SpiceDB rejects a cursor whose request differs from
 * the first one, and "read your writes" resolves to a newer token after any write in between.
 */
export async function readAll(engine: GraphReader, filter: RelationshipFilter): Promise<Relationship[]> {
  const out: Relationship[] = [];
  let cursor: string | undefined;
  do {
    const page = await engineCall(() => engine.readRelationships(filter, { limit: PAGE, cursor }, { kind: "full" }));
    out.push(...page.relationships);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** readOne returns the first relationship matching the filter, with the token it was read at. */
export async function readOne(engine: GraphReader, filter: RelationshipFilter): Promise<{ relationship?: Relationship; zedToken: string }> {
  const page = await engineCall(() => engine.readRelationships(filter, { limit: 1 }));
  return { relationship: page.relationships[0], zedToken: page.zedToken };
}

/**
 * requireOrganization throws 404 unless the organization exists. An organization exists while
 * it has an owner: creation writes one and the last owner can never leave.
 */
export async function requireOrganization(engine: GraphReader, orgId: string): Promise<{ zedToken: string }> {
  const found = await readOne(engine, { resourceType: "organization", resourceId: orgId, relation: "owner" });
  if (!found.relationship) throw notFound(`organization:${orgId} does not exist`);
  return { zedToken: found.zedToken };
}

/** organizationOf returns the organization a group or custom role belongs to (404 if none). */
export async function organizationOf(engine: GraphReader, type: "group" | "role", id: string): Promise<{ orgId: string; zedToken: string }> {
  const found = await readOne(engine, { resourceType: type, resourceId: id, relation: "organization" });
  if (!found.relationship) throw notFound(`${type}:${id} does not exist`);
  return { orgId: found.relationship.subject.id, zedToken: found.zedToken };
}

/** idsOwnedBy lists the groups, custom roles or projects of an organization. */
export async function idsOwnedBy(engine: GraphReader, type: "group" | "role" | "project", orgId: string): Promise<string[]> {
  const rels = await readAll(engine, { resourceType: type, relation: "organization", subject: { type: "organization", id: orgId } });
  return rels.map((r) => r.resource.id);
}

export interface Membership {
  userId: string;
  /** The user's one org role; undefined when they are not a member. */
  role?: OrgRole;
  /** Stored scope levels (admins and owners keep them but bypass them). */
  scopes: Scopes;
  /** Every relationship of this user on the organization (role and scope tuples). */
  relationships: Relationship[];
}

const ROLE_RANK: Record<OrgRole, number> = { member: 0, admin: 1, owner: 2 };

/** membershipFrom folds one user's organization relationships into role and scopes. */
export function membershipFrom(userId: string, rels: Relationship[]): Membership {
  let role: OrgRole | undefined;
  const relations = new Set(rels.map((r) => r.relation));
  // NOTE: one role per user is the invariant; if raw writes broke it, the highest one counts.
  for (const candidate of ORG_ROLES) {
    if (relations.has(candidate) && (!role || ROLE_RANK[candidate] > ROLE_RANK[role])) role = candidate;
  }
  const scopes = { ...DEFAULT_SCOPES };
  for (const area of ORG_AREAS) {
    scopes[area] = relations.has(scopeRelation(area, "full")) ? "full" : relations.has(scopeRelation(area, "view")) ? "view" : "none";
  }
  return { userId, role, scopes, relationships: rels };
}

/** readMembership reads one user's role and scopes in an organization. */
export async function readMembership(engine: GraphReader, orgId: string, userId: string): Promise<Membership> {
  const rels = await readAll(engine, { resourceType: "organization", resourceId: orgId, subject: { type: "user", id: userId } });
  return membershipFrom(userId, rels);
}

/** readMemberships reads every user's role and scopes in an organization (members only). */
export async function readMemberships(engine: GraphReader, orgId: string): Promise<Membership[]> {
  const rels = await readAll(engine, { resourceType: "organization", resourceId: orgId, subject: { type: "user" } });
  const byUser = new Map<string, Relationship[]>();
  for (const r of rels) {
    const list = byUser.get(r.subject.id) ?? [];
    list.push(r);
    byUser.set(r.subject.id, list);
  }
  // Scope tuples of a user without a role are stale and grant nothing: not a member.
  return [...byUser].map(([userId, list]) => membershipFrom(userId, list)).filter((m) => m.role !== undefined);
}

/** readRoleHolders lists the users holding one org role. */
export async function readRoleHolders(engine: GraphReader, orgId: string, role: OrgRole): Promise<string[]> {
  const rels = await readAll(engine, { resourceType: "organization", resourceId: orgId, relation: role, subject: { type: "user" } });
  return rels.map((r) => r.subject.id);
}

/** Definitions whose relations may hold `group:<id>#member` as a subject. */
export const GROUP_SUBJECT_TYPES = ["group", "project", "resource", "role_binding", "workspace", "folder", "project_feature"] as const;

/** readGroupRelationships: the group's own tuples and every tuple naming it as a subject. */
export async function readGroupRelationships(engine: GraphReader, groupId: string): Promise<{ references: Relationship[]; own: Relationship[] }> {
  const references = await Promise.all(GROUP_SUBJECT_TYPES.map((type) => readAll(engine, { resourceType: type, subject: { type: "group", id: groupId } })));
  const own = await readAll(engine, { resourceType: "group", resourceId: groupId });
  return { references: references.flat(), own };
}

/** readRoleRelationships: the custom role's tuples and every role_binding of it, project side included. */
export async function readRoleRelationships(engine: GraphReader, roleId: string): Promise<{ bindings: Relationship[]; own: Relationship[] }> {
  const roleOf = await readAll(engine, { resourceType: "role_binding", relation: "role", subject: { type: "role", id: roleId } });
  const bindings = await Promise.all(
    roleOf.map(async (r) => [
      ...(await readAll(engine, { resourceType: "role_binding", resourceId: r.resource.id })),
      ...(await readAll(engine, { resourceType: "project", relation: "binding", subject: { type: "role_binding", id: r.resource.id } })),
    ]),
  );
  const own = await readAll(engine, { resourceType: "role", resourceId: roleId });
  return { bindings: bindings.flat(), own };
}

/** PROJECT_PARTS are the definitions whose objects belong to one project (`#project` anchor). */
const PROJECT_PARTS = ["resource", "folder", "workspace", "project_feature"] as const;

export type ProjectPartIds = Record<(typeof PROJECT_PARTS)[number], string[]>;

/**
 * readProjectRelationships: a project's tuples, its role_bindings', and those of everything it
 * holds — resources, folders, workspaces (rule 12) and feature objects (rule 13) — with their ids.
 */
export async function readProjectRelationships(engine: GraphReader, projectId: string): Promise<{ relationships: Relationship[]; resourceIds: string[]; parts: ProjectPartIds }> {
  const own = await readAll(engine, { resourceType: "project", resourceId: projectId });
  const bindingIds = own.filter((r) => r.relation === "binding").map((r) => r.subject.id);
  const bindings = await Promise.all(bindingIds.map((id) => readAll(engine, { resourceType: "role_binding", resourceId: id })));
  const anchored = await Promise.all(PROJECT_PARTS.map((resourceType) => readAll(engine, { resourceType, relation: "project", subject: { type: "project", id: projectId } })));
  const parts = Object.fromEntries(PROJECT_PARTS.map((type, i) => [type, [...new Set(anchored[i]!.map((r) => r.resource.id))]])) as ProjectPartIds;
  const partRels = await Promise.all(PROJECT_PARTS.flatMap((resourceType) => parts[resourceType].map((resourceId) => readAll(engine, { resourceType, resourceId }))));
  return { relationships: [...partRels.flat(), ...bindings.flat(), ...own], resourceIds: parts.resource, parts };
}

export const organizationRef = (orgId: string) => ref("organization", orgId);
