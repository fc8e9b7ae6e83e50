// Pins the custom-role contract (rule 7): a named set of allowed project permissions per
// organization, granting exactly those to holders; changing the set changes every holder at
// once; deleting a role removes its bindings (holders lose it) in one write.
import { describe, expect, it } from "vitest";
import { useTestServer, uid, } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();

const { as, allowed, tuples, raw, newOrg } = productCalls(() => server);
const addMember = async (org: string, owner: string, user: string, role = "member", scopes?: Record<string, string>) =>
  expect((await server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(owner), body: { role, scopes } })).status).toBe(200);
const createRole = (org: string, actor: string, body: Record<string, unknown>) => server.call("POST", `/v1/orgs/${org}/roles`, { ...as(actor), body });
/** bind writes a project of the org and one custom-role holding on it, raw (project endpoints are built separately). */
const bind = (org: string, project: string, role: string, holder: string) =>
  raw(
    `project:${project}#organization@organization:${org}`,
    `project:${project}#binding@role_binding:${project}|${role}`,
    `role_binding:${project}|${role}#role@role:${role}`,
    `role_binding:${project}|${role}#holder@${holder}`,
  );

describe("POST /v1/orgs/:org/roles", () => {
  it("creates a role (201): one perm_* tuple per permission, readable back by GET", async () => {
    const owner = uid("owner");
    const org = await newOrg(owner);
    const id = uid("role");
    const res = await createRole(org, owner, { id, name: "Auditor", permissions: ["view_members", "view", "view"] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id, organization: org, name: "Auditor", permissions: ["view", "view_members"] });
    expect(res.body.zedToken).toBeTruthy();
    expect(await tuples({ resourceType: "role", resourceId: id })).toEqual(
      [`role:${id}#organization@organization:${org}`, `role:${id}#perm_view@user:*`, `role:${id}#perm_view_members@user:*`].sort(),
    );
    const got = await server.call("GET", `/v1/roles/${id}`, as(owner));
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ id, organization: org, name: "Auditor", permissions: ["view", "view_members"] });
  });

  it("refuses permissions a custom role may never hold (422 invalid_role), writing nothing", async () => {
    const owner = uid("owner");
    const org = await newOrg(owner);
    for (const permissions of [["view", "manage_admins"], ["delete_project"], ["fly"], ["admin"]]) {
      const id = uid("role");
      const res = await createRole(org, owner, { id, name: "Bad", permissions });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe("invalid_role");
      expect(await tuples({ resourceType: "role", resourceId: id })).toEqual([]);
    }
    const shape = await createRole(org, owner, { id: uid("role"), name: "Bad", permissions: "view" });
    expect(shape.status).toBe(400);
    expect(shape.body.field).toBe("permissions");
    const noName = await createRole(org, owner, { id: uid("role"), permissions: ["view"] });
    expect(noName.status).toBe(400);
    expect(noName.body.field).toBe("name");
  });

  it("needs manage_roles (members scope full, or admin); 409 for a taken id; 404 for an unknown org", async () => {
    const [owner, max, vic] = [uid("owner"), uid("max"), uid("vic")];
    const org = await newOrg(owner);
    await addMember(org, owner, max, "member", { members: "full" });
    await addMember(org, owner, vic, "member", { members: "view" });
    const id = uid("role");
    expect((await createRole(org, max, { id, name: "Triager", permissions: ["view", "comment"] })).status).toBe(201);
    const denied = await createRole(org, vic, { id: uid("role"), name: "X", permissions: ["view"] });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("forbidden");
    const taken = await createRole(org, owner, { id, name: "Again", permissions: [] });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe("already_exists");
    expect((await createRole(uid("nope"), owner, { id: uid("role"), name: "X", permissions: [] })).status).toBe(404);
  });
});

describe("GET /v1/orgs/:org/roles", () => {
  it("lists the org's roles with names and permissions to members, paginated; 403 to strangers", async () => {
    const [owner, nora] = [uid("owner"), uid("nora")];
    const org = await newOrg(owner);
    await addMember(org, owner, nora);
    const ids = [uid("role"), uid("role"), uid("role")];
    for (const id of ids) expect((await createRole(org, owner, { id, name: `N-${id}`, permissions: ["view"] })).status).toBe(201);
    const first = await server.call("GET", `/v1/orgs/${org}/roles?limit=2`, as(nora));
    expect(first.status).toBe(200);
    expect(first.body.roles).toHaveLength(2);
    const second = await server.call("GET", `/v1/orgs/${org}/roles?limit=2&cursor=${first.body.cursor}`, as(nora));
    expect(second.body.cursor).toBeUndefined();
    const all = [...first.body.roles, ...second.body.roles];
    expect(all).toEqual([...ids].sort().map((id) => ({ id, organization: org, name: `N-${id}`, permissions: ["view"] })));
    expect((await server.call("GET", `/v1/orgs/${org}/roles`, as(uid("stranger")))).status).toBe(403);
  });
});

describe("custom roles on projects", () => {
  it("grant exactly their permissions; PUT replaces the set and every holder changes at once", async () => {
    const [owner, carl, quinn] = [uid("owner"), uid("carl"), uid("quinn")];
    const org = await newOrg(owner);
    await addMember(org, owner, carl);
    await addMember(org, owner, quinn);
    const group = uid("qa");
    expect((await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(owner), body: { id: group } })).status).toBe(201);
    expect((await server.call("PUT", `/v1/groups/${group}/members/user:${quinn}`, as(owner))).status).toBe(200);
    const role = uid("role");
    expect((await createRole(org, owner, { id: role, name: "Auditor", permissions: ["view", "view_members"] })).status).toBe(201);
    const [p1, p2] = [uid("p"), uid("p")];
    await bind(org, p1, role, `user:${carl}`);
    await bind(org, p2, role, `group:${group}#member`);

    for (const [project, user] of [[p1, carl], [p2, quinn]] as const) {
      expect(await allowed(`project:${project}`, "view", `user:${user}`)).toBe(true);
      expect(await allowed(`project:${project}`, "view_members", `user:${user}`)).toBe(true);
      expect(await allowed(`project:${project}`, "edit", `user:${user}`)).toBe(false);
      expect(await allowed(`project:${project}`, "manage_admins", `user:${user}`)).toBe(false);
    }

    const res = await server.call("PUT", `/v1/roles/${role}`, { ...as(owner), body: { name: "Editor-ish", permissions: ["edit", "comment"] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: role, name: "Editor-ish", permissions: ["comment", "edit"] });
    expect(res.body.zedToken).toBeTruthy();
    for (const [project, user] of [[p1, carl], [p2, quinn]] as const) {
      expect(await allowed(`project:${project}`, "edit", `user:${user}`)).toBe(true);
      expect(await allowed(`project:${project}`, "view", `user:${user}`)).toBe(false);
    }
    expect(await tuples({ resourceType: "role", resourceId: role })).toEqual(
      [`role:${role}#organization@organization:${org}`, `role:${role}#perm_comment@user:*`, `role:${role}#perm_edit@user:*`].sort(),
    );
    // A name-only change keeps the permissions.
    const renamed = await server.call("PUT", `/v1/roles/${role}`, { ...as(owner), body: { name: "Writer" } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.permissions).toEqual(["comment", "edit"]);
  });

  it("rule 2: an org admin bypasses whatever custom role they hold", async () => {
    const [owner, adam] = [uid("owner"), uid("adam")];
    const org = await newOrg(owner);
    await addMember(org, owner, adam, "admin");
    const role = uid("role");
    expect((await createRole(org, owner, { id: role, name: "Viewer", permissions: ["view"] })).status).toBe(201);
    const project = uid("p");
    await bind(org, project, role, `user:${adam}`);
    expect(await allowed(`project:${project}`, "delete_project", `user:${adam}`)).toBe(true);
    expect(await allowed(`project:${project}`, "manage_admins", `user:${adam}`)).toBe(true);
  });

  it("PUT validates the set (422 invalid_role), needs manage_roles (403), 404s an unknown role; nothing changes", async () => {
    const [owner, vic] = [uid("owner"), uid("vic")];
    const org = await newOrg(owner);
    await addMember(org, owner, vic, "member", { members: "view" });
    const role = uid("role");
    expect((await createRole(org, owner, { id: role, name: "R", permissions: ["view"] })).status).toBe(201);
    const before = await tuples({ resourceType: "role", resourceId: role });
    const invalid = await server.call("PUT", `/v1/roles/${role}`, { ...as(owner), body: { permissions: ["view", "delete_project"] } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe("invalid_role");
    const denied = await server.call("PUT", `/v1/roles/${role}`, { ...as(vic), body: { permissions: ["view", "edit"] } });
    expect(denied.status).toBe(403);
    expect(await tuples({ resourceType: "role", resourceId: role })).toEqual(before);
    expect((await server.call("PUT", `/v1/roles/${role}`, { ...as(owner), body: {} })).status).toBe(400);
    expect((await server.call("PUT", `/v1/roles/${uid("ghost")}`, { ...as(owner), body: { name: "x" } })).status).toBe(404);
    expect((await server.call("GET", `/v1/roles/${role}`, as(uid("stranger")))).status).toBe(403);
  });
});

describe("DELETE /v1/roles/:role", () => {
  it("removes the role and every binding of it: holders lose its permissions at once", async () => {
    const [owner, carl, vic] = [uid("owner"), uid("carl"), uid("vic")];
    const org = await newOrg(owner);
    await addMember(org, owner, carl);
    await addMember(org, owner, vic, "member", { members: "view" });
    const [role, keep] = [uid("role"), uid("role")];
    expect((await createRole(org, owner, { id: role, name: "Doomed", permissions: ["view", "edit"] })).status).toBe(201);
    expect((await createRole(org, owner, { id: keep, name: "Kept", permissions: ["comment"] })).status).toBe(201);
    const project = uid("p");
    await bind(org, project, role, `user:${carl}`);
    await bind(org, project, keep, `user:${carl}`);
    expect(await allowed(`project:${project}`, "edit", `user:${carl}`)).toBe(true);

    expect((await server.call("DELETE", `/v1/roles/${role}`, as(vic))).status).toBe(403);
    const res = await server.call("DELETE", `/v1/roles/${role}`, as(owner));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: role, removed: 6 });
    expect(res.body.zedToken).toBeTruthy();
    expect(await allowed(`project:${project}`, "edit", `user:${carl}`)).toBe(false);
    expect(await allowed(`project:${project}`, "comment", `user:${carl}`)).toBe(true);
    expect(await tuples({ resourceType: "role", resourceId: role })).toEqual([]);
    expect(await tuples({ resourceType: "role_binding", resourceId: `${project}|${role}` })).toEqual([]);
    expect(await tuples({ resourceType: "project", resourceId: project, relation: "binding" })).toEqual([`project:${project}#binding@role_binding:${project}|${keep}`]);
    expect((await server.call("GET", `/v1/roles/${role}`, as(owner))).status).toBe(404);
    expect((await server.call("DELETE", `/v1/roles/${role}`, as(owner))).status).toBe(404);
  });
});
