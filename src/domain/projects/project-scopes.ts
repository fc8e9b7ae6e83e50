// projectScopes (rule 13): per-project scopes of a member (user or group) of an organization's
// project — the four settings scopes, stored as project relations `settings_<s>_<level>`, and the
// organization's feature keys, stored on `project_feature:<project>|<key>` (`scope_<level>`).
// An explicit level replaces the role's default; a scope left unset follows the role
// (docs/schema-content.md). Checkable as project permissions `view_<scope>` / `manage_<scope>`.
import type { CheckItem, Engine, Relationship, RelationshipUpdate, SubjectRef } from "../../engine/engine.js";
import { invalidScope } from "../errors.js";
import { ref, relationship, type ScopeLevel } from "../model.js";
import { readAllRelationships } from "./project-grants.js";

export const SETTINGS_SCOPES = ["settings_general", "settings_members", "settings_data_sources", "settings_publishing"] as const;
export type SettingsScope = (typeof SETTINGS_SCOPES)[number];
export const SCOPE_LEVELS = ["none", "view", "full"] as const satisfies readonly ScopeLevel[];

/** ProjectScopes maps a scope (settings scope or feature key) to its explicit level. */
export type ProjectScopes = Record<string, ScopeLevel>;

/** FEATURE_KEY is the grammar of an organization's feature keys. */
export const FEATURE_KEY = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * RESERVED_FEATURE_KEYS are the keys k whose `view_<k>` or `manage_<k>` already name a permission
 * of `project` in schema.zed (test/project-scopes.test.ts holds this list to the schema), so a
 * feature can never shadow one; `settings_*` belongs to the settings scopes.
 */
export const RESERVED_FEATURE_KEYS = ["members", "settings", "admins", "content_access"] as const;

/** featureKeyProblem says why a feature key is refused, or undefined when it is a good one. */
export function featureKeyProblem(key: string): string | undefined {
  if (!FEATURE_KEY.test(key)) return `feature key ${JSON.stringify(key.slice(0, 80))} must match [a-z][a-z0-9_]{0,62}`;
  if (key.startsWith("settings_")) return `feature key ${key} must not start with settings_ (the settings scopes are built in)`;
  if ((RESERVED_FEATURE_KEYS as readonly string[]).includes(key)) return `feature key ${key} would clash with the project permission view_${key} or manage_${key}`;
  return undefined;
}

export const isSettingsScope = (scope: string): scope is SettingsScope => (SETTINGS_SCOPES as readonly string[]).includes(scope);

/** featureId names the project_feature object of one feature key in one project. */
export const featureId = (projectId: string, key: string) => `${projectId}|${key}`;
export const featureRef = (projectId: string, key: string) => ref("project_feature", featureId(projectId, key));
export function parseFeatureId(id: string): { projectId: string; key: string } {
  const bar = id.lastIndexOf("|");
  return { projectId: id.slice(0, bar), key: id.slice(bar + 1) };
}

const SETTINGS_RELATION = /^(settings_[a-z_]+)_(none|view|full)$/;
const FEATURE_RELATION = /^scope_(none|view|full)$/;

/** scopeRelationship is the relationship that holds one explicit scope level for a subject. */
export function scopeRelationship(projectId: string, scope: string, level: ScopeLevel, subject: SubjectRef): Relationship {
  return isSettingsScope(scope)
    ? relationship(ref("project", projectId), `${scope}_${level}`, subject)
    : relationship(featureRef(projectId, scope), `scope_${level}`, subject);
}

/** scopeOf reads an explicit scope relationship back: its scope and level (undefined for other tuples). */
export function scopeOf(r: Relationship): { scope: string; level: ScopeLevel } | undefined {
  if (r.resource.type === "project") {
    const m = SETTINGS_RELATION.exec(r.relation);
    return m && isSettingsScope(m[1]!) ? { scope: m[1]!, level: m[2] as ScopeLevel } : undefined;
  }
  if (r.resource.type === "project_feature") {
    const m = FEATURE_RELATION.exec(r.relation);
    return m ? { scope: parseFeatureId(r.resource.id).key, level: m[1] as ScopeLevel } : undefined;
  }
  return undefined;
}

type Reader = Pick<Engine, "readRelationships">;

const subjectFilter = (s: SubjectRef) => ({ type: s.type, id: s.id, ...(s.relation ? { relation: s.relation } : {}) });

/** readSubjectScopes reads a subject's explicit scopes on a project, with the tuples that hold them. */
export async function readSubjectScopes(engine: Reader, projectId: string, subject: SubjectRef): Promise<{ scopes: ProjectScopes; relationships: Relationship[] }> {
  const [onProject, onFeatures] = await Promise.all([
    readAllRelationships(engine, { resourceType: "project", resourceId: projectId, subject: subjectFilter(subject) }),
    readAllRelationships(engine, { resourceType: "project_feature", subject: subjectFilter(subject) }),
  ]);
  const relationships = [...onProject, ...onFeatures.filter((r) => parseFeatureId(r.resource.id).projectId === projectId)].filter((r) => scopeOf(r) !== undefined);
  return { scopes: scopesFrom(relationships), relationships };
}

const LEVEL_RANK: Record<ScopeLevel, number> = { none: 0, view: 1, full: 2 };

/** scopesFrom folds scope tuples into levels (the highest wins if raw writes left two). */
export function scopesFrom(relationships: Relationship[]): ProjectScopes {
  const scopes: ProjectScopes = {};
  for (const r of relationships) {
    const held = scopeOf(r);
    if (!held) continue;
    const before = scopes[held.scope];
    if (before === undefined || LEVEL_RANK[held.level] > LEVEL_RANK[before]) scopes[held.scope] = held.level;
  }
  return Object.fromEntries(Object.entries(scopes).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * scopeUpdates takes a subject from its current scope tuples to exactly `desired` (a scope left
 * out follows the role): only tuples that exist are deleted and only missing ones written, so the
 * inverse of the write restores what was there.
 */
export function scopeUpdates(projectId: string, subject: SubjectRef, current: Relationship[], desired: ProjectScopes): RelationshipUpdate[] {
  const key = (r: Relationship) => `${r.resource.type}:${r.resource.id}#${r.relation}`;
  const wanted = new Map(Object.entries(desired).map(([scope, level]) => {
    const r = scopeRelationship(projectId, scope, level, subject);
    return [key(r), r] as const;
  }));
  const have = new Set(current.map(key));
  return [
    ...current.filter((r) => !wanted.has(key(r))).map((r): RelationshipUpdate => ({ operation: "delete", relationship: r })),
    ...[...wanted].filter(([k]) => !have.has(k)).map(([, r]): RelationshipUpdate => ({ operation: "touch", relationship: r })),
  ];
}

/**
 * requireKnownScopes checks a request's scopes against what the project can hold — the settings
 * scopes and the organization's feature keys — (422 invalid_scope naming `<field>.<scope>`).
 */
export function requireKnownScopes(scopes: Record<string, ScopeLevel>, features: readonly string[], field: string): ProjectScopes {
  for (const scope of Object.keys(scopes)) {
    if (!isSettingsScope(scope) && !features.includes(scope)) {
      throw invalidScope(`${scope} is neither a settings scope (${SETTINGS_SCOPES.join(", ")}) nor a feature key of the organization (${features.join(", ") || "none defined"})`, `${field}.${scope}`);
    }
  }
  return { ...scopes };
}

/** featureAnchor is the relationship that makes project_feature:<project>|<key> exist (the role defaults need it). */
export const featureAnchor = (projectId: string, key: string) => relationship(featureRef(projectId, key), "project", ref("project", projectId));

/** readFeatureRelationships: every relationship of the project's project_feature objects (anchors included). */
export async function readFeatureRelationships(engine: Reader, projectId: string): Promise<Relationship[]> {
  const anchors = await readAllRelationships(engine, { resourceType: "project_feature", relation: "project", subject: { type: "project", id: projectId } });
  const ids = [...new Set(anchors.map((r) => r.resource.id))];
  const all = await Promise.all(ids.map((id) => readAllRelationships(engine, { resourceType: "project_feature", resourceId: id })));
  return all.flat();
}

const SCOPE_PERMISSION = /^(view|manage)_([a-z][a-z0-9_]{0,62})$/;

/**
 * featureCheck rewrites a check of a feature key asked as a project permission —
 * `project:p#view_<k>` / `#manage_<k>` — to the object that answers it, `project_feature:p|<k>#view`
 * / `#manage`. Settings scopes and every other project permission stay as asked.
 */
export function featureCheck<T extends Pick<CheckItem, "resource" | "permission">>(item: T): T {
  if (item.resource.type !== "project") return item;
  const m = SCOPE_PERMISSION.exec(item.permission);
  if (!m || featureKeyProblem(m[2]!) !== undefined) return item;
  return { ...item, resource: featureRef(item.resource.id, m[2]!), permission: m[1]! };
}
