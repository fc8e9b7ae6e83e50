// Pins rule 13, per-project scopes: an organization's feature keys (PUT/GET /v1/orgs/:org/features)
// with an anchor in every project, the settings scopes, explicit levels set with the role (PUT
// /v1/projects/:project/members/:subject {role?, scopes?}), the role defaults, admin bypass, checks
// as project permissions view_<scope> / manage_<scope>, and explain / who-has-access in product terms.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSchema } from "../src/engine/schema/parse-schema.js";
import { RESERVED_FEATURE_KEYS, SETTINGS_SCOPES } from "../src/domain/projects/project-scopes.js";
import { useTestServer, uid } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();
const { as, allowed, tuples, newOrg } = productCalls(() => server);

const putMember = (org: string, actor: string, user: string, body: unknown = { role: "member" }) => server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(actor), body });
const grant = (project: string, subject: string, actor: string, body: unknown) => server.call("PUT", `/v1/projects/${project}/members/${subject}`, { ...as(actor), body });
const setFeatures = (org: string, actor: string, features: unknown) => server.call("PUT", `/v1/orgs/${org}/features`, { ...as(actor), body: { features } });
const newProject = async (org: string, owner: string) => {
  const id = uid("p");
  expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id, owner: `organization:${org}` } })).status).toBe(201);
  return id;
};
/** can lists which of view_<scope> / manage_<scope> the user holds on the project. */
const can = async (project: string, scope: string, user: string) => {
  const [view, manage] = [await allowed(`project:${project}`, `view_${scope}`, `user:${user}`), await allowed(`project:${project}`, `manage_${scope}`, `user:${user}`)];
  return manage ? "full" : view ? "view" : "none";
};

/** world: an organization with feature keys analytics and reports, a project, and one member per role. */
async function world() {
  const [owner, admin, manager, editor, viewer, guest, outsider] = ["own", "adm", "mgr", "ed", "vw", "gst", "out"].map((p) => uid(p)) as [string, string, string, string, string, string, string];
  const org = await newOrg(owner);
  for (const u of [admin, manager, editor, viewer, guest]) expect((await putMember(org, owner, u)).status).toBe(200);
  expect((await setFeatures(org, owner, ["analytics", "reports"])).status).toBe(200);
  const p = await newProject(org, owner);
  for (const [u, role] of [[admin, "admin"], [manager, "manager"], [editor, "editor"], [viewer, "viewer"], [guest, "guest"]] as const) {
    expect((await grant(p, `user:${u}`, owner, { role })).status).toBe(200);
  }
  return { org, p, owner, admin, manager, editor, viewer, guest, outsider };
}

describe("PUT /v1/orgs/:org/features", () => {
  it("sets the keys (manage_general), anchors them in every project of the organization, and new projects get them", async () => {
    const [owner, mia] = [uid("own"), uid("mia")];
    const org = await newOrg(owner);
    await putMember(org, owner, mia);
    const before = await newProject(org, owner);
    // A member without the general scope full cannot define features: 403, nothing written.
    const denied = await setFeatures(org, mia, ["analytics"]);
    expect([denied.status, denied.body.code]).toEqual([403, "forbidden"]);
    expect(await tuples({ resourceType: "project_feature", relation: "project", subjectType: "project", subjectId: before })).toEqual([]);
    const set = await setFeatures(org, owner, ["analytics", "reports", "analytics"]);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ organization: org, features: ["analytics", "reports"] });
    expect(set.body.zedToken).toBeTruthy();
    expect((await server.call("GET", `/v1/orgs/${org}/features`, as(mia))).body).toEqual({ organization: org, features: ["analytics", "reports"] });
    expect((await server.call("GET", `/v1/orgs/${org}/features`, as(uid("stranger")))).status).toBe(403);
    const after = await newProject(org, owner);
    for (const p of [before, after]) {
      expect(await tuples({ resourceType: "project_feature", relation: "project", subjectType: "project", subjectId: p })).toEqual([
        `project_feature:${p}|analytics#project@project:${p}`,
        `project_feature:${p}|reports#project@project:${p}`,
      ]);
    }
    // general=full is enough (it is a general setting).
    await putMember(org, owner, mia, { role: "member", scopes: { general: "full" } });
    expect((await setFeatures(org, mia, ["analytics"])).status).toBe(200);
    // A dropped key loses its anchors and every scope set on it.
    expect(await tuples({ resourceType: "project_feature", resourceId: `${before}|reports` })).toEqual([]);
    expect(await tuples({ resourceType: "project_feature", resourceId: `${after}|analytics` })).toEqual([`project_feature:${after}|analytics#project@project:${after}`]);
  });

  it("refuses keys that break the grammar, start with settings_ or clash with a project permission: 422 naming the field", async () => {
    const owner = uid("own");
    const org = await newOrg(owner);
    await setFeatures(org, owner, ["analytics"]);
    for (const [features, field] of [
      [["ok", "Bad"], "features.1"],
      [["settings_general"], "features.0"],
      [["reports", "members"], "features.1"],
      [["settings"], "features.0"],
      [["admins"], "features.0"],
      [["content_access"], "features.0"],
      [["9lives"], "features.0"],
      [["x".repeat(64)], "features.0"],
    ] as const) {
      const res = await setFeatures(org, owner, features);
      expect([res.status, res.body.code, res.body.field], JSON.stringify(features)).toEqual([422, "invalid_scope", field]);
    }
    expect((await setFeatures(org, owner, "analytics")).status).toBe(400);
    expect((await server.call("GET", `/v1/orgs/${org}/features`, as(owner))).body.features).toEqual(["analytics"]);
    expect((await setFeatures(uid("nope"), owner, ["a"])).status).toBe(404);
  });

  it("the reserved keys are exactly those whose view_/manage_ name a permission of project in schema.zed", () => {
    const schema = parseSchema(readFileSync(join(import.meta.dirname, "..", "schema.zed"), "utf8"));
    const project = schema.definitions.get("project")!;
    const names = [...project.relations.keys(), ...project.permissions.keys()];
    const shadowed = new Set(names.map((n) => /^(?:view|manage)_(.+)$/.exec(n)?.[1]).filter((k): k is string => k !== undefined && !k.startsWith("settings_")));
    expect([...shadowed].sort()).toEqual([...RESERVED_FEATURE_KEYS].sort());
    for (const scope of SETTINGS_SCOPES) expect(names).toEqual(expect.arrayContaining([`view_${scope}`, `manage_${scope}`]));
  });
});

describe("role defaults and admin bypass", () => {
  it("guest none; viewer view on features; editor full on features and view on settings_general; manager and admin full", async () => {
    const w = await world();
    const table = async (u: string) => [await can(w.p, "analytics", u), await can(w.p, "settings_general", u), await can(w.p, "settings_members", u), await can(w.p, "settings_publishing", u)];
    expect(await table(w.guest)).toEqual(["none", "none", "none", "none"]);
    expect(await table(w.viewer)).toEqual(["view", "none", "none", "none"]);
    expect(await table(w.editor)).toEqual(["full", "view", "none", "none"]);
    expect(await table(w.manager)).toEqual(["full", "full", "full", "full"]);
    expect(await table(w.admin)).toEqual(["full", "full", "full", "full"]);
    expect(await table(w.owner)).toEqual(["full", "full", "full", "full"]);
    expect(await table(w.outsider)).toEqual(["none", "none", "none", "none"]);
    // The raw form answers the same; a key the organization does not define grants nothing.
    expect(await allowed(`project_feature:${w.p}|analytics`, "view", `user:${w.viewer}`)).toBe(true);
    expect(await allowed(`project_feature:${w.p}|analytics`, "manage", `user:${w.viewer}`)).toBe(false);
    expect(await allowed(`project:${w.p}`, "view_unknown", `user:${w.admin}`)).toBe(false);
    // Settings scopes and the project's own permissions are not rewritten.
    expect(await allowed(`project:${w.p}`, "view_members", `user:${w.viewer}`)).toBe(true);
    expect(await allowed(`project:${w.p}`, "manage_settings", `user:${w.manager}`)).toBe(true);
  });
});

describe("PUT /v1/projects/:project/members/:subject with scopes", () => {
  it("explicit levels replace the role default (none beats it, full implies view); scopes left out follow the role again", async () => {
    const w = await world();
    const set = await grant(w.p, `user:${w.editor}`, w.owner, { scopes: { analytics: "none", settings_members: "full", reports: "view" } });
    expect(set.status).toBe(200);
    // Without a role the member keeps theirs.
    expect(set.body).toMatchObject({ subject: `user:${w.editor}`, role: "editor", scopes: { analytics: "none", reports: "view", settings_members: "full" } });
    expect(await can(w.p, "analytics", w.editor)).toBe("none");
    expect(await can(w.p, "reports", w.editor)).toBe("view");
    expect(await can(w.p, "settings_members", w.editor)).toBe("full");
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.editor}`)).toBe(true);
    expect(await tuples({ resourceType: "project", resourceId: w.p, subjectType: "user", subjectId: w.editor })).toEqual([
      `project:${w.p}#editor@user:${w.editor}`,
      `project:${w.p}#settings_members_full@user:${w.editor}`,
    ]);
    // A new set replaces the old one: analytics follows the role again, reports is gone.
    const again = await grant(w.p, `user:${w.editor}`, w.owner, { role: "viewer", scopes: { settings_members: "view" } });
    expect(again.body).toMatchObject({ role: "viewer", scopes: { settings_members: "view" } });
    expect(await can(w.p, "analytics", w.editor)).toBe("view");
    expect(await can(w.p, "reports", w.editor)).toBe("view");
    expect(await can(w.p, "settings_members", w.editor)).toBe("view");
    expect(await tuples({ resourceType: "project_feature", subjectType: "user", subjectId: w.editor })).toEqual([]);
    // Without scopes a role change keeps the explicit ones.
    expect((await grant(w.p, `user:${w.editor}`, w.owner, { role: "manager" })).body.scopes).toEqual({ settings_members: "view" });
    expect(await can(w.p, "settings_members", w.editor)).toBe("view");
    expect(await can(w.p, "settings_publishing", w.editor)).toBe("full");
  });

  it("admin bypass beats any scope; a group's scopes reach its members; a scope left on a non-member counts for nothing", async () => {
    const w = await world();
    expect((await grant(w.p, `user:${w.admin}`, w.owner, { scopes: { analytics: "none", settings_general: "none" } })).status).toBe(200);
    expect(await can(w.p, "analytics", w.admin)).toBe("full");
    expect(await can(w.p, "settings_general", w.admin)).toBe("full");
    const g = uid("g");
    expect((await server.call("POST", `/v1/orgs/${w.org}/groups`, { ...as(w.owner), body: { id: g } })).status).toBe(201);
    expect((await server.call("PUT", `/v1/groups/${g}/members/user:${w.guest}`, as(w.owner))).status).toBe(200);
    expect((await grant(w.p, `group:${g}`, w.owner, { role: "guest", scopes: { reports: "full", settings_data_sources: "view" } })).status).toBe(200);
    expect(await can(w.p, "reports", w.guest)).toBe("full");
    expect(await can(w.p, "settings_data_sources", w.guest)).toBe("view");
    expect(await can(w.p, "analytics", w.guest)).toBe("none");
    // A raw scope tuple for someone with no role in the project grants nothing (& access).
    const res = await server.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: `project:${w.p}#settings_members_full@user:${w.outsider}` }] } });
    expect(res.status).toBe(200);
    expect(await can(w.p, "settings_members", w.outsider)).toBe("none");
  });

  it("refuses unknown scopes (422 naming the field), scopes on a personal project (422), and a manager touching an admin's scopes (403): nothing written", async () => {
    const w = await world();
    const unknown = await grant(w.p, `user:${w.viewer}`, w.owner, { scopes: { billing: "full" } });
    expect([unknown.status, unknown.body.code, unknown.body.field]).toEqual([422, "invalid_scope", "scopes.billing"]);
    const level = await grant(w.p, `user:${w.viewer}`, w.owner, { scopes: { analytics: "admin" } });
    expect([level.status, level.body.field]).toEqual([400, "scopes.analytics"]);
    const byManager = await grant(w.p, `user:${w.admin}`, w.manager, { scopes: { analytics: "none" } });
    expect([byManager.status, byManager.body.code]).toEqual([403, "forbidden"]);
    expect(await tuples({ resourceType: "project_feature", subjectType: "user", subjectId: w.admin })).toEqual([]);
    expect(await tuples({ resourceType: "project_feature", subjectType: "user", subjectId: w.viewer })).toEqual([]);
    // A manager sets an editor's scopes.
    expect((await grant(w.p, `user:${w.editor}`, w.manager, { scopes: { analytics: "view" } })).status).toBe(200);
    expect(await can(w.p, "analytics", w.editor)).toBe("view");

    const pat = uid("pat");
    expect((await server.call("PUT", `/v1/users/${pat}/plan`, { body: { plan: "scale" } })).status).toBe(200);
    const personal = uid("pp");
    await server.call("POST", "/v1/projects", { ...as(pat), body: { id: personal, owner: `user:${pat}` } });
    const onPersonal = await grant(personal, `user:${uid("fr")}`, pat, { role: "viewer", scopes: { settings_members: "view" } });
    expect([onPersonal.status, onPersonal.body.code, onPersonal.body.field]).toEqual([422, "invalid_scope", "scopes"]);
    expect(await tuples({ resourceType: "project", resourceId: personal, relation: "viewer" })).toEqual([]);
  });
});

describe("checks, explain and who-has-access name scopes in product terms", () => {
  it("bulk checks rewrite feature keys too; explain and the access list say how a scope is held", async () => {
    const w = await world();
    await grant(w.p, `user:${w.viewer}`, w.owner, { scopes: { settings_members: "full" } });
    const bulk = await server.call("POST", "/v1/check/bulk", {
      key: "check",
      body: {
        items: [
          { resource: `project:${w.p}`, permission: "manage_analytics", subject: `user:${w.editor}` },
          { resource: `project:${w.p}`, permission: "manage_analytics", subject: `user:${w.viewer}` },
          { resource: `project:${w.p}`, permission: "manage_settings_members", subject: `user:${w.viewer}` },
        ],
      },
    });
    expect(bulk.body.results).toEqual([{ allowed: true }, { allowed: false }, { allowed: true }]);
    const why = async (permission: string, user: string) =>
      (await server.call("POST", "/v1/explain", { key: "check", body: { resource: `project:${w.p}`, permission, subject: `user:${user}` } })).body.reasons;
    expect(await why("manage_settings_members", w.viewer)).toEqual(["full on settings_members (scope)"]);
    expect(await why("manage_settings_members", w.manager)).toEqual(["full on settings_members as manager"]);
    expect(await why("view_analytics", w.viewer)).toEqual(["view on analytics as viewer"]);
    expect(await why("view_settings_general", w.editor)).toEqual(["view on settings_general as editor"]);
    expect(await why("manage_analytics", w.admin)).toEqual([`admin of project ${w.p}`]);

    const access = await server.call("GET", `/v1/projects/${w.p}/access?permission=manage_settings_members`, as(w.owner));
    expect(access.status).toBe(200);
    const reasons = Object.fromEntries((access.body.access as Array<{ user: string; via: Array<{ reason: string }> }>).map((e) => [e.user, e.via.map((v) => v.reason)]));
    expect(reasons[`user:${w.viewer}`]).toEqual(["full on settings_members (scope)"]);
    expect(reasons[`user:${w.manager}`]).toEqual(["full on settings_members as manager"]);
    expect(reasons[`user:${w.editor}`]).toBeUndefined();
    const feature = await server.call("GET", `/v1/projects/${w.p}/access?permission=view_reports`, as(w.owner));
    expect(feature.status).toBe(200);
    expect(feature.body.access.map((e: { user: string }) => e.user).sort()).toEqual([w.owner, w.admin, w.manager, w.editor, w.viewer].map((u) => `user:${u}`).sort());
    const unknown = await server.call("GET", `/v1/projects/${w.p}/access?permission=view_billing`, as(w.owner));
    expect([unknown.status, unknown.body.code, unknown.body.field]).toEqual([422, "invalid_scope", "query.permission"]);
  });
});
