// org-choices: what the access forms of an organization offer in their pickers — its feature
// keys (per-project scopes besides the settings scopes), its custom roles, and its projects. The
// server decides what is allowed; these only spare typing. Listing an organization's projects
// reads raw relationships (admin keys); other keys get the projects its members hold roles on,
// plus those opened this session, and may type any id.
import { useEffect, useState } from "preact/hooks";
import { path, query, type Json } from "./api";
import { useConsole } from "./context";
import { recent } from "./session";

export interface OrgChoices {
  features: string[];
  roles: string[];
  projects: string[];
}

export function useOrgChoices(org: string, version = 0): OrgChoices {
  const con = useConsole();
  const [choices, setChoices] = useState<OrgChoices>({ features: [], roles: [], projects: [] });
  useEffect(() => {
    const features = con.api("GET", path`/v1/orgs/${org}/features`).then((f) => (f.features as string[]) ?? [], () => []);
    const roles = con.api("GET", `${path`/v1/orgs/${org}/roles`}?limit=1000`).then((r) => (r.roles as Array<{ id: string }>).map((x) => x.id), () => []);
    const projects = con.session.admin
      ? con.api("GET", `/v1/relationships${query({ resourceType: "project", relation: "organization", subjectType: "organization", subjectId: org, limit: 1000 })}`).then(
          (page: Json) => (page.relationships as Array<{ relationship: string }>).map((r) => /^project:([^#]+)#/.exec(r.relationship)![1]!),
          () => recent("project"),
        )
      : Promise.resolve(recent("project"));
    void Promise.all([features, roles, projects]).then(([f, r, p]) => setChoices({ features: f, roles: r, projects: p }));
  }, [org, version]);
  return choices;
}

/**
 * readExplicitScopes reads a user's explicit per-project scopes on a project from the raw
 * relationships (admin keys only; undefined otherwise): `project:p#settings_members_view@user:u`
 * and `project_feature:p|analytics#scope_full@user:u`.
 */
export async function readExplicitScopes(con: ReturnType<typeof useConsole>, project: string, user: string): Promise<Record<string, string> | undefined> {
  if (!con.session.admin) return undefined;
  const read = async (params: Record<string, string>) =>
    ((await con.api("GET", `/v1/relationships${query({ ...params, subjectType: "user", subjectId: user, limit: 1000 })}`)).relationships as Array<{ relationship: string }>).map((r) => r.relationship);
  const [settings, features] = await Promise.all([read({ resourceType: "project", resourceId: project }), read({ resourceType: "project_feature" })]);
  const scopes: Record<string, string> = {};
  for (const r of settings) {
    const m = /^project:[^#]+#(settings_[a-z_]+)_(none|view|full)@/.exec(r);
    if (m) scopes[m[1]!] = m[2]!;
  }
  for (const r of features) {
    const m = /^project_feature:([^#|]+)\|([^#]+)#scope_(none|view|full)@/.exec(r);
    if (m && m[1] === project) scopes[m[2]!] = m[3]!;
  }
  return scopes;
}
