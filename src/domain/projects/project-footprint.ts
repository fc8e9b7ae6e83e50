// projectFootprint reads everything one subject holds in a project (rule 15): its roles and
// custom-role holdings, its grants on the project's workspaces, folders and resources, its
// per-project scopes (the project's `settings_*` relations and `project_feature:<p>|<key>`
// scopes) and, for a user, the exclusion `project:p#removed@user:u`. Removal deletes all of it.
import type { Engine, Relationship, RelationshipUpdate, SubjectRef } from "../../engine/engine.js";
import { CONTENT_ROLES, readProjectContent, type ContentRef } from "../content/content-graph.js";
import { engineCall } from "../errors.js";
import { ref, relationship, userRef } from "../model.js";
import { idsOwnedBy, readAll, type GraphReader } from "../organizations/organization-graph.js";
import { readSubjectGrants, type RoleGrant } from "./project-grants.js";
import type { MemberSubject } from "./project-subject.js";

export interface ProjectFootprint {
  /** Built-in roles and custom-role holdings. */
  roles: RoleGrant[];
  /** viewer / editor grants on the project's workspaces, folders and resources. */
  content: Relationship[];
  /** Per-project scopes: `project:p#settings_<scope>_<level>` and `project_feature:p|<key>#scope_<level>`. */
  scopes: Relationship[];
  /** The exclusion of rule 15 (users only). */
  removed: Relationship[];
}

/** ProjectContent is the ids of a project's content, read once for several footprints. */
export type ProjectContent = Record<ContentRef["type"], Set<string>>;

export const readContentIds = (engine: GraphReader, projectId: string): Promise<ProjectContent> => readProjectContent(engine, projectId);

const subjectFilter = (s: SubjectRef) => ({ type: s.type, id: s.id, ...(s.relation ? { relation: s.relation } : {}) });
const isContentRole = (relation: string) => (CONTENT_ROLES as readonly string[]).includes(relation);

/** readFootprint gathers what the subject holds in the project. */
export async function readFootprint(engine: GraphReader, projectId: string, content: ProjectContent, subject: SubjectRef): Promise<ProjectFootprint> {
  const filter = subjectFilter(subject);
  const [roles, own, features, ...grants] = await Promise.all([
    readSubjectGrants(engine, projectId, subject),
    readAll(engine, { resourceType: "project", resourceId: projectId, subject: filter }),
    readAll(engine, { resourceType: "project_feature", subject: filter }),
    ...(["workspace", "folder", "resource"] as const).map(async (type) => {
      const rels = await readAll(engine, { resourceType: type, subject: filter });
      return rels.filter((r) => content[type].has(r.resource.id) && isContentRole(r.relation));
    }),
  ]);
  // A feature object's id is "<project>|<key>", and project ids hold no "|": the prefix is exact.
  const featureScopes = features.filter((r) => r.resource.id.startsWith(`${projectId}|`) && r.relation.startsWith("scope_"));
  return {
    roles,
    content: grants.flat(),
    scopes: [...own.filter((r) => r.relation.startsWith("settings_")), ...featureScopes],
    removed: own.filter((r) => r.relation === "removed"),
  };
}

/** holdsAnything: the footprint grants something (the exclusion grants nothing). */
export const holdsAnything = (f: ProjectFootprint) => f.roles.length + f.content.length + f.scopes.length > 0;

/**
 * groupsReaching lists the groups of the organization that the user is a member of (directly
 * or through nested groups) and that hold something in the project: the paths the exclusion
 * of rule 15 must cut.
 */
export async function groupsReaching(
  engine: GraphReader & Pick<Engine, "lookupResources">,
  input: { orgId: string; projectId: string; userId: string; content: ProjectContent },
): Promise<string[]> {
  const orgGroups = new Set(await idsOwnedBy(engine, "group", input.orgId));
  if (orgGroups.size === 0) return [];
  const memberOf: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await engineCall(() => engine.lookupResources({ resourceType: "group", permission: "member", subject: userRef(input.userId), limit: 1000, cursor }));
    memberOf.push(...page.resources.filter((r) => r.permissionship !== "denied" && orgGroups.has(r.id)).map((r) => r.id));
    cursor = page.cursor;
  } while (cursor);
  const reaching = await Promise.all(
    memberOf.map(async (groupId) => {
      const footprint = await readFootprint(engine, input.projectId, input.content, { type: "group", id: groupId, relation: "member" });
      return holdsAnything(footprint) ? groupId : undefined;
    }),
  );
  return reaching.filter((g): g is string => g !== undefined);
}

/** removedRelationship is rule 15's exclusion of one user from one project. */
export const removedRelationship = (projectId: string, userId: string) => relationship(ref("project", projectId), "removed", userRef(userId));

/**
 * liftRemoval returns the update that ends a user's exclusion from the project (none when they
 * are not excluded, or for a group): whatever grants them something there again writes it in the
 * same atomic write, so from then on their groups count again like any member's.
 */
export async function liftRemoval(engine: GraphReader, projectId: string, subject: MemberSubject): Promise<RelationshipUpdate[]> {
  if (subject.type !== "user") return [];
  const rels = await readAll(engine, { resourceType: "project", resourceId: projectId, relation: "removed", subject: { type: "user", id: subject.id } });
  return rels.map((relationship): RelationshipUpdate => ({ operation: "delete", relationship }));
}
