// describeGrant turns the engine's check trace into product terms: which grants gave the
// permission ("editor through group eng on project p1", "admin of organization acme
// (bypass)"). Pure logic over schema.zed's shape, shared by /v1/explain and the access lists.
import type { CheckTrace } from "../../engine/engine.js";
import { PROJECT_ROLES, RESOURCE_ROLES, parseBindingId } from "../model.js";

/** Grant is one reason a subject holds a permission, in product terms. */
export type Grant =
  | { kind: "owner"; project: string }
  | { kind: "direct"; project: string; role: string }
  | { kind: "group"; project: string; group: string; role: string }
  | { kind: "custom_role"; project: string; role: string; group?: string }
  | { kind: "org_bypass"; organization: string; orgRole: "admin" | "owner" }
  | { kind: "resource_grant"; resource: string; role: string; group?: string; caveat?: string }
  /** A grant on a workspace or folder (rule 12): on the object asked about, or `inherited` from above it. */
  | { kind: "content_grant"; on: "workspace" | "folder"; id: string; role: string; group?: string; inherited?: true }
  /** An item pushed to all workspaces (rule 12), seen through a grant on some workspace. */
  | { kind: "pushed"; item: string; workspace: string; role: string; group?: string }
  /**
   * A per-project scope (rule 13): explicit (a level set for the member or a group of theirs), or
   * the role's default (`as`: the role that gives it).
   */
  | { kind: "project_scope"; project: string; scope: string; level: "view" | "full"; group?: string; as?: Grant }
  | { kind: "org_role"; organization: string; role: string }
  | { kind: "org_scope"; organization: string; area: string; level: string }
  | { kind: "group_member"; group: string; through?: string }
  | { kind: "relationship"; relationship: string };

/**
 * subtractedByRemoval: the steps rule 15's `- removed` is taken from — project roles, custom-role
 * bindings and content grants; bypass steps (admin_bypass, owner_user, the organization's) and a
 * project permission reached by an arrow are outside it.
 */
function subtractedByRemoval(step: CheckTrace): boolean {
  if (step.resource.type === "project" && step.kind === "relation") return isOneOf(PROJECT_ROLES, step.permission);
  return step.resource.type === "role_binding" || step.permission === "content_view" || step.permission === "content_edit";
}

const isRemoval = (step: CheckTrace) => step.resource.type === "project" && step.kind === "relation" && step.permission === "removed";

/**
 * granting lists the steps below a node that granted. NOTE: SpiceDB's trace flattens
 * `(viewer + editor) - removed` into siblings, so a step can read "allowed" although an allowed
 * `removed` sibling took it away (rule 15): then the subtracted steps did not grant, and the
 * `removed` step itself never grants.
 */
export function granting(t: CheckTrace): CheckTrace[] {
  const steps = t.children.filter((c) => c.result !== "denied");
  if (!steps.some(isRemoval)) return steps;
  return steps.filter((c) => !isRemoval(c) && !subtractedByRemoval(c));
}
const isOneOf = (list: readonly string[], value: string) => list.includes(value);

/** groupsOf lists the groups through whose members a relation node was satisfied. */
function groupsOf(node: CheckTrace): string[] {
  return granting(node)
    .filter((c) => c.resource.type === "group" && c.permission === "member")
    .map((c) => c.resource.id);
}

function subjectString(t: CheckTrace): string {
  return `${t.subject.type}:${t.subject.id}${t.subject.relation ? `#${t.subject.relation}` : ""}`;
}

/** Where a node sits in the trace: the object asked about, and the node above it. */
interface TraceContext {
  root: string;
  parent?: CheckTrace;
}

/**
 * contentGrantsAt reads a viewer/editor node of a workspace or folder (rule 12). NOTE: SpiceDB
 * batches sibling objects in one step, so under a push the id may read `ops,sales`; the grant
 * keeps it as is and narrowBatchedGrants (batched-grants.ts) keeps the ids that granted.
 */
function contentGrantsAt(node: CheckTrace, on: "workspace" | "folder", ctx: TraceContext): Grant[] {
  const { id } = node.resource;
  const role = node.permission;
  const groups = groupsOf(node);
  const above = ctx.parent?.resource.type === "project" && ctx.parent.permission === "any_workspace_view" ? undefined : ctx;
  if (!above) return groups.length ? groups.map((group) => ({ kind: "content_grant", on, id, role, group })) : [{ kind: "content_grant", on, id, role }];
  const inherited = `${on}:${id}` !== ctx.root ? { inherited: true as const } : {};
  return groups.length ? groups.map((group) => ({ kind: "content_grant", on, id, role, group, ...inherited })) : [{ kind: "content_grant", on, id, role, ...inherited }];
}

/** pushedGrantsAt reads a push (rule 12): the item above `any_workspace_view`, seen through a workspace grant. */
function pushedGrantsAt(node: CheckTrace, ctx: TraceContext): Grant[] {
  const item = ctx.parent ? `${ctx.parent.resource.type}:${ctx.parent.resource.id}` : "content";
  return granting(node)
    .flatMap((child) => grantsAt(child, { root: ctx.root, parent: node }))
    .map((g): Grant => (g.kind === "content_grant" ? { kind: "pushed", item, workspace: g.id, role: g.role, ...(g.group ? { group: g.group } : {}) } : g));
}

const SETTINGS_SCOPE_PERMISSION = /^(view|manage)_(settings_[a-z_]+)$/;
const EXPLICIT_SCOPE = /^(?:settings_[a-z_]+_|scope_)(view|full)$/;

/**
 * scopeGrantsAt reads a per-project scope check (rule 13): `project#view_settings_<s>` /
 * `#manage_settings_<s>`, or `project_feature:<p>|<key>#view` / `#manage`. An explicit level is
 * "full on settings_members (scope)"; the role's default is "view on analytics as viewer"; the
 * `access` branch is only the membership test and says nothing; admin bypass stays itself.
 */
function scopeGrantsAt(node: CheckTrace, ctx: TraceContext): Grant[] | undefined {
  const { type, id } = node.resource;
  let project: string;
  let scope: string;
  let asked: string;
  if (type === "project" && node.kind === "permission" && SETTINGS_SCOPE_PERMISSION.test(node.permission)) {
    const m = SETTINGS_SCOPE_PERMISSION.exec(node.permission)!;
    [project, scope, asked] = [id, m[2]!, m[1]!];
  } else if (type === "project_feature" && node.kind === "permission" && (node.permission === "view" || node.permission === "manage")) {
    const bar = id.lastIndexOf("|");
    [project, scope, asked] = [id.slice(0, bar), id.slice(bar + 1), node.permission];
  } else {
    return undefined;
  }
  const below = { root: ctx.root, parent: node };
  const grants: Grant[] = [];
  for (const child of granting(node)) {
    const explicit = child.kind === "relation" ? EXPLICIT_SCOPE.exec(child.permission) : null;
    if (explicit) {
      const level = explicit[1] as "view" | "full";
      const groups = groupsOf(child);
      grants.push(...(groups.length ? groups.map((group): Grant => ({ kind: "project_scope", project, scope, level, group })) : [{ kind: "project_scope" as const, project, scope, level }]));
    } else if (child.permission === "admin_bypass") {
      grants.push(...grantsAt(child, below));
    } else if (child.permission !== "access") {
      // (the access branch is only the membership test)
      const level = asked === "manage" ? "full" : "view";
      for (const role of grantsAt(child, below)) {
        // Bypass is bypass, whichever branch the engine took to it.
        const bypass = role.kind === "org_bypass" || role.kind === "owner" || (role.kind === "direct" && role.role === "admin");
        grants.push(bypass ? role : { kind: "project_scope", project, scope, level, as: role });
      }
    }
  }
  return grants;
}

/** grantsAt reads the grants under one trace node; it stops where a product concept starts. */
function grantsAt(node: CheckTrace, ctx: TraceContext): Grant[] {
  if (node.result === "denied") return [];
  const { type, id } = node.resource;
  const p = node.permission;
  if ((type === "workspace" || type === "folder") && node.kind === "relation" && isOneOf(RESOURCE_ROLES, p)) return contentGrantsAt(node, type, ctx);
  if (type === "project" && p === "any_workspace_view") return pushedGrantsAt(node, ctx);
  const scoped = scopeGrantsAt(node, ctx);
  if (scoped) return scoped;
  if (type === "project" && node.kind === "relation") {
    if (p === "owner_user") return [{ kind: "owner", project: id }];
    if (isOneOf(PROJECT_ROLES, p)) {
      const groups = groupsOf(node);
      return groups.length ? groups.map((group) => ({ kind: "group", project: id, group, role: p })) : [{ kind: "direct", project: id, role: p }];
    }
  }
  if (type === "role_binding") {
    const { projectId, roleId } = parseBindingId(id);
    const holder = granting(node).find((c) => c.permission === "holder");
    const groups = holder ? groupsOf(holder) : [];
    const role = `role:${roleId}`;
    return groups.length ? groups.map((group) => ({ kind: "custom_role", project: projectId, role, group })) : [{ kind: "custom_role", project: projectId, role }];
  }
  if (type === "organization" && p === "admin_bypass") {
    return granting(node)
      .filter((c) => c.permission === "owner" || c.permission === "admin")
      .map((c) => ({ kind: "org_bypass", organization: id, orgRole: c.permission as "admin" | "owner" }));
  }
  if (type === "organization" && node.kind === "relation") {
    const scope = /^([a-z]+)_(view|full)$/.exec(p);
    if (scope) return [{ kind: "org_scope", organization: id, area: scope[1]!, level: scope[2]! }];
    return [{ kind: "org_role", organization: id, role: p }];
  }
  if (type === "resource" && node.kind === "relation" && isOneOf(RESOURCE_ROLES, p)) {
    const caveat = node.caveat ? { caveat: node.caveat } : {};
    const groups = groupsOf(node);
    return groups.length
      ? groups.map((group) => ({ kind: "resource_grant", resource: id, role: p, group, ...caveat }))
      : [{ kind: "resource_grant", resource: id, role: p, ...caveat }];
  }
  if (type === "group" && p === "member") {
    const direct = granting(node).find((c) => c.permission === "direct_member");
    const nested = direct ? groupsOf(direct) : [];
    return nested.length ? nested.map((through) => ({ kind: "group_member", group: id, through })) : [{ kind: "group_member", group: id }];
  }
  const children = granting(node);
  if (children.length) return children.flatMap((child) => grantsAt(child, { root: ctx.root, parent: node }));
  return [{ kind: "relationship", relationship: `${type}:${id}#${p}@${subjectString(node)}` }];
}

/**
 * GRANT_ORDER: the order grants are listed in, nearest to the subject first (the project's own
 * roles, then groups and custom roles, resources and content, scopes, the organization's scopes, roles and
 * its bypass). The engine's trace lists branches in no fixed order, so the order is set here.
 */
const GRANT_ORDER: readonly Grant["kind"][] = [
  "owner", "direct", "group", "custom_role", "resource_grant", "content_grant", "pushed",
  "project_scope", "group_member", "org_scope", "org_role", "org_bypass", "relationship",
];

/** grantsOf lists every grant the trace shows (without repeats, in GRANT_ORDER); none when denied. */
export function grantsOf(trace: CheckTrace | undefined): Grant[] {
  if (!trace) return [];
  const byKey = new Map<string, Grant>();
  for (const g of grantsAt(trace, { root: `${trace.resource.type}:${trace.resource.id}` })) byKey.set(JSON.stringify(g), g);
  return [...byKey]
    .sort(([ka, a], [kb, b]) => GRANT_ORDER.indexOf(a.kind) - GRANT_ORDER.indexOf(b.kind) || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, g]) => g);
}

const roleName = (role: string) => (role.startsWith("role:") ? role.slice(5) : role);

/** roleOf names the role behind a scope's default: "manager", "editor through group eng", "custom role auditor". */
function roleOf(grant: Grant): string {
  switch (grant.kind) {
    case "direct":
      return grant.role;
    case "group":
      return `${grant.role} through group ${grant.group}`;
    case "custom_role":
      return grant.group ? `custom role ${roleName(grant.role)} through group ${grant.group}` : `custom role ${roleName(grant.role)}`;
    default:
      return describeGrant(grant);
  }
}

/** describeGrant says one grant in a sentence a product admin reads. */
export function describeGrant(grant: Grant): string {
  switch (grant.kind) {
    case "owner":
      return `owner of personal project ${grant.project}`;
    case "direct":
      return `${grant.role} of project ${grant.project}`;
    case "group":
      return `${grant.role} through group ${grant.group} on project ${grant.project}`;
    case "custom_role":
      return grant.group
        ? `custom role ${roleName(grant.role)} through group ${grant.group} on project ${grant.project}`
        : `custom role ${roleName(grant.role)} on project ${grant.project}`;
    case "org_bypass":
      return `${grant.orgRole} of organization ${grant.organization} (bypass)`;
    case "resource_grant": {
      const base = grant.group ? `${grant.role} through group ${grant.group} on resource ${grant.resource}` : `${grant.role} of resource ${grant.resource}`;
      return grant.caveat ? `${base} (while ${grant.caveat} holds)` : base;
    }
    case "content_grant":
      if (grant.group) return `${grant.role} through group ${grant.group} on ${grant.on} ${grant.id}`;
      return grant.inherited ? `${grant.role} through ${grant.on} ${grant.id}` : `${grant.role} of ${grant.on} ${grant.id}`;
    case "pushed": {
      const [type, id] = grant.item.split(":") as [string, string];
      const through = grant.group ? `${grant.role} through group ${grant.group} on workspace ${grant.workspace}` : `${grant.role} of workspace ${grant.workspace}`;
      return `${type} ${id} pushed to all workspaces (${through})`;
    }
    case "project_scope": {
      const on = `${grant.level} on ${grant.scope}`;
      if (grant.as) return `${on} as ${roleOf(grant.as)}`;
      return grant.group ? `${on} (scope) through group ${grant.group}` : `${on} (scope)`;
    }
    case "org_role":
      return `${grant.role} of organization ${grant.organization}`;
    case "org_scope":
      return `${grant.level === "full" ? "full" : "view"} ${grant.area} scope in organization ${grant.organization}`;
    case "group_member":
      return grant.through ? `member of group ${grant.group} through group ${grant.through}` : `member of group ${grant.group}`;
    case "relationship":
      return `relationship ${grant.relationship}`;
  }
}

/** describeTrace is the list of reasons for /v1/explain. */
export const describeTrace = (trace: CheckTrace | undefined): string[] => grantsOf(trace).map(describeGrant);
