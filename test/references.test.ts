// Pins rule 18, references: wherever a typed object is expected (body fields and path parameters),
// both `p1` and `project:p1` are accepted and a reference of another type is 400 naming the
// field; a member added without a role gets the project's defaultRole (PATCH /v1/projects/:project
// {name?, defaultRole?}, needs manage_settings_general; initially editor; never admin).
import { describe, expect, it } from "vitest";
import { useTestServer, uid } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();
const { as, allowed, tuples, newOrg } = productCalls(() => server);

const putMember = (org: string, actor: string, user: string, body: unknown = { role: "member" }) => server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(actor), body });

async function world() {
  const [owner, mia, ned] = [uid("own"), uid("mia"), uid("ned")];
  const org = await newOrg(owner);
  for (const u of [mia, ned]) await putMember(org, owner, u);
  const p = uid("p");
  expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id: p, owner: `organization:${org}` } })).status).toBe(201);
  return { org, owner, mia, ned, p };
}

describe("typed references", () => {
  it("PUT /v1/resources/r1 takes {project: \"p1\"} and {project: \"project:p1\"}; another type is 400 naming the field", async () => {
    const w = await world();
    const [r1, r2, r3] = [uid("r"), uid("r"), uid("r")];
    expect((await server.call("PUT", `/v1/resources/${r1}`, { ...as(w.owner), body: { project: `project:${w.p}` } })).status).toBe(201);
    expect((await server.call("PUT", `/v1/resources/${r2}`, { ...as(w.owner), body: { project: w.p } })).status).toBe(201);
    expect(await tuples({ resourceType: "resource", relation: "project", subjectType: "project", subjectId: w.p })).toEqual(
      [r1, r2].map((r) => `resource:${r}#project@project:${w.p}`).sort(),
    );
    for (const project of [`organization:${w.org}`, `group:${w.p}`, "project:", "project:bad id", "pro ject:p1"]) {
      const res = await server.call("PUT", `/v1/resources/${r3}`, { ...as(w.owner), body: { project } });
      expect([res.status, res.body.code, res.body.field], project).toEqual([400, "invalid_request", "project"]);
    }
    expect(await tuples({ resourceType: "resource", resourceId: r3 })).toEqual([]);
  });

  it("path parameters take either form too: projects, organizations, users, resources, groups, roles", async () => {
    const w = await world();
    expect((await server.call("GET", `/v1/projects/project:${w.p}`, as(w.owner))).body).toMatchObject({ id: w.p });
    expect((await server.call("GET", `/v1/orgs/organization:${w.org}`, as(w.owner))).body).toMatchObject({ id: w.org });
    expect((await server.call("PUT", `/v1/orgs/organization:${w.org}/members/user:${uid("u")}`, { ...as(w.owner), body: { role: "member" } })).status).toBe(200);
    expect((await server.call("PUT", `/v1/projects/project:${w.p}/members/user:${w.mia}`, { ...as(w.owner), body: { role: "viewer" } })).status).toBe(200);
    expect(await allowed(`project:${w.p}`, "view", `user:${w.mia}`)).toBe(true);
    const g = uid("g");
    expect((await server.call("POST", `/v1/orgs/organization:${w.org}/groups`, { ...as(w.owner), body: { id: g } })).status).toBe(201);
    expect((await server.call("PUT", `/v1/groups/group:${g}/members/user:${w.ned}`, as(w.owner))).status).toBe(200);
    const r = uid("r");
    expect((await server.call("PUT", `/v1/resources/resource:${r}`, { ...as(w.owner), body: { project: w.p } })).status).toBe(201);
    expect(await tuples({ resourceType: "resource", resourceId: r })).toEqual([`resource:${r}#project@project:${w.p}`]);
    expect((await server.call("GET", `/v1/users/user:${w.mia}/plan`)).body).toEqual({ user: w.mia, plan: "starter" });
    for (const [path, field] of [
      [`/v1/projects/organization:${w.p}`, "path.project"],
      [`/v1/orgs/project:${w.org}`, "path.org"],
      [`/v1/resources/project:${r}/access`, "path.resource"],
      [`/v1/groups/role:${g}/members`, "path.group"],
    ] as const) {
      const res = await server.call("GET", path, as(w.owner));
      expect([res.status, res.body.code, res.body.field], path).toEqual([400, "invalid_request", field]);
    }
    const wrongUser = await server.call("PUT", `/v1/orgs/${w.org}/members/group:${uid("x")}`, { ...as(w.owner), body: { role: "member" } });
    expect([wrongUser.status, wrongUser.body.field]).toEqual([400, "path.user"]);
  });
});

describe("defaultRole", () => {
  it("a member added without a role gets the project's defaultRole: editor until changed", async () => {
    const w = await world();
    expect((await server.call("GET", `/v1/projects/${w.p}`, as(w.owner))).body.defaultRole).toBe("editor");
    const added = await server.call("PUT", `/v1/projects/${w.p}/members/user:${w.mia}`, { ...as(w.owner), body: {} });
    expect(added.status).toBe(200);
    expect(added.body.role).toBe("editor");
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.mia}`)).toBe(true);

    const patched = await server.call("PATCH", `/v1/projects/${w.p}`, { ...as(w.owner), body: { defaultRole: "viewer", name: "Apollo" } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: w.p, name: "Apollo", defaultRole: "viewer" });
    expect(patched.body.zedToken).toBeTruthy();
    expect((await server.call("GET", `/v1/projects/${w.p}`, as(w.mia))).body).toMatchObject({ name: "Apollo", defaultRole: "viewer" });
    expect((await server.call("PUT", `/v1/projects/${w.p}/members/user:${w.ned}`, { ...as(w.owner), body: {} })).body.role).toBe("viewer");
    expect(await allowed(`project:${w.p}`, "view", `user:${w.ned}`)).toBe(true);
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.ned}`)).toBe(false);
    // A member who has a role keeps it when none is given.
    expect((await server.call("PUT", `/v1/projects/${w.p}/members/user:${w.mia}`, { ...as(w.owner), body: {} })).body.role).toBe("editor");
    // A custom role of the organization may be the default.
    const role = uid("role");
    expect((await server.call("POST", `/v1/orgs/${w.org}/roles`, { ...as(w.owner), body: { id: role, name: "Commenter", permissions: ["view", "comment"] } })).status).toBe(201);
    expect((await server.call("PATCH", `/v1/projects/${w.p}`, { ...as(w.owner), body: { defaultRole: `role:${role}` } })).body.defaultRole).toBe(`role:${role}`);
    const late = uid("late");
    await putMember(w.org, w.owner, late);
    expect((await server.call("PUT", `/v1/projects/${w.p}/members/user:${late}`, { ...as(w.owner), body: {} })).body.role).toBe(`role:${role}`);
    expect(await allowed(`project:${w.p}`, "comment", `user:${late}`)).toBe(true);
  });

  it("needs manage_settings_general; is never admin nor an unknown role (422); bad bodies are 400", async () => {
    const w = await world();
    await server.call("PUT", `/v1/projects/${w.p}/members/user:${w.mia}`, { ...as(w.owner), body: { role: "editor", scopes: { settings_general: "full" } } });
    await server.call("PUT", `/v1/projects/${w.p}/members/user:${w.ned}`, { ...as(w.owner), body: { role: "manager", scopes: { settings_general: "view" } } });
    // An editor with settings_general full may; a manager held to view may not (403, nothing changes).
    expect((await server.call("PATCH", `/v1/projects/${w.p}`, { ...as(w.mia), body: { defaultRole: "guest" } })).status).toBe(200);
    const denied = await server.call("PATCH", `/v1/projects/${w.p}`, { ...as(w.ned), body: { defaultRole: "manager" } });
    expect([denied.status, denied.body.code]).toEqual([403, "forbidden"]);
    for (const [body, status, code] of [
      [{ defaultRole: "admin" }, 422, "invalid_role"],
      [{ defaultRole: "owner" }, 422, "invalid_role"],
      [{ defaultRole: `role:${uid("nope")}` }, 422, "invalid_role"],
      [{}, 400, "invalid_request"],
      [{ defaultRole: "viewer", extra: 1 }, 400, "invalid_request"],
    ] as const) {
      const res = await server.call("PATCH", `/v1/projects/${w.p}`, { ...as(w.owner), body });
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await server.call("GET", `/v1/projects/${w.p}`, as(w.owner))).body.defaultRole).toBe("guest");
    expect((await server.call("PATCH", `/v1/projects/${uid("nope")}`, { ...as(w.owner), body: { defaultRole: "viewer" } })).status).toBe(404);
  });
});
