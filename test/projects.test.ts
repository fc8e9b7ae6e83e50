// Pins POST/GET/DELETE /v1/projects (docs/api.md) and rules 1, 2, 4 and 11 of §2.
import { describe, expect, it } from "vitest";
import { useTestServer, uid, } from "./support/test-server.js";

const server = useTestServer();

async function write(...relationships: string[]) {
  const res = await server.call("POST", "/v1/relationships", { body: { updates: relationships.map((relationship) => ({ operation: "touch", relationship })) } });
  expect(res.status).toBe(200);
}
const allowed = async (resource: string, permission: string, subject: string, consistency?: unknown) =>
  (await server.call("POST", "/v1/check", { key: "check", body: { resource, permission, subject, ...(consistency ? { consistency } : {}) } })).body.allowed as boolean;
const relationships = async (query: string) =>
  ((await server.call("GET", `/v1/relationships?${query}`)).body.relationships as Array<{ relationship: string }>).map((r) => r.relationship).sort();
const as = (user: string) => ({ actor: `user:${user}`, key: "manage" as const });

/** org makes an organization with an owner, an admin and plain members (raw writes). */
async function org() {
  const o = { id: uid("org"), owner: uid("own"), admin: uid("adm"), member: uid("mem"), creator: uid("cre") };
  await write(
    `organization:${o.id}#owner@user:${o.owner}`,
    `organization:${o.id}#admin@user:${o.admin}`,
    `organization:${o.id}#member@user:${o.member}`,
    `organization:${o.id}#member@user:${o.creator}`,
    `organization:${o.id}#projects_full@user:${o.creator}`,
  );
  return o;
}

describe("POST /v1/projects", () => {
  it("creates an organization project; the creator becomes its admin (rule 1)", async () => {
    const o = await org();
    const p = uid("p");
    const res = await server.call("POST", "/v1/projects", { ...as(o.admin), body: { id: p, owner: `organization:${o.id}`, name: "Fleet" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: p, name: "Fleet", owner: `organization:${o.id}` });
    expect(typeof res.body.zedToken).toBe("string");
    expect(await relationships(`resourceType=project&resourceId=${p}`)).toEqual([`project:${p}#admin@user:${o.admin}`, `project:${p}#organization@organization:${o.id}`].sort());
    expect(await allowed(`project:${p}`, "delete_project", `user:${o.admin}`, { atLeastAsFresh: res.body.zedToken })).toBe(true);
  });

  it("lets a member with the projects scope at full create, not a plain member (403, nothing written)", async () => {
    const o = await org();
    const [p1, p2] = [uid("p"), uid("p")];
    expect((await server.call("POST", "/v1/projects", { ...as(o.creator), body: { id: p1, owner: `organization:${o.id}` } })).status).toBe(201);
    expect(await allowed(`project:${p1}`, "manage_admins", `user:${o.creator}`)).toBe(true);
    const denied = await server.call("POST", "/v1/projects", { ...as(o.member), body: { id: p2, owner: `organization:${o.id}` } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("forbidden");
    expect(await relationships(`resourceType=project&resourceId=${p2}`)).toEqual([]);
  });

  it("answers 404 for an unknown organization", async () => {
    const res = await server.call("POST", "/v1/projects", { ...as(uid("u")), body: { id: uid("p"), owner: `organization:${uid("nope")}` } });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  it("creates a personal project owned by the actor, and refuses one for someone else", async () => {
    const [pat, other, p, q] = [uid("pat"), uid("oth"), uid("p"), uid("p")];
    const res = await server.call("POST", "/v1/projects", { ...as(pat), body: { id: p, owner: `user:${pat}` } });
    expect(res.status).toBe(201);
    expect(await relationships(`resourceType=project&resourceId=${p}`)).toEqual([`project:${p}#admin@user:${pat}`, `project:${p}#owner_user@user:${pat}`].sort());
    const denied = await server.call("POST", "/v1/projects", { ...as(pat), body: { id: q, owner: `user:${other}` } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("forbidden");
    expect(await relationships(`resourceType=project&resourceId=${q}`)).toEqual([]);
  });

  it("answers 409 already_exists for an existing id, and only one of concurrent creates wins", async () => {
    const o = await org();
    const p = uid("p");
    expect((await server.call("POST", "/v1/projects", { ...as(o.admin), body: { id: p, owner: `organization:${o.id}` } })).status).toBe(201);
    const again = await server.call("POST", "/v1/projects", { ...as(o.owner), body: { id: p, owner: `user:${o.owner}` } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("already_exists");
    expect(await relationships(`resourceType=project&resourceId=${p}&relation=owner_user`)).toEqual([]);

    const q = uid("p");
    const racers = [o.admin, o.owner, o.creator, uid("solo")];
    const results = await Promise.all(
      racers.map((u, i) => server.call("POST", "/v1/projects", { ...as(u), body: { id: q, owner: i === 3 ? `user:${u}` : `organization:${o.id}` } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const anchors = [
      ...(await relationships(`resourceType=project&resourceId=${q}&relation=organization`)),
      ...(await relationships(`resourceType=project&resourceId=${q}&relation=owner_user`)),
    ];
    expect(anchors).toHaveLength(1);
    expect(await relationships(`resourceType=project&resourceId=${q}&relation=admin`)).toHaveLength(1);
  });

  it.each([
    [{ id: "bad id", owner: "user:x" }, "id"],
    [{ id: "ok", owner: "team:x" }, "owner"],
    [{ owner: "user:x" }, "id"],
    [{ id: "ok", owner: "user:x", extra: 1 }, "body"],
  ])("rejects %j with 400 naming %s", async (body, field) => {
    const res = await server.call("POST", "/v1/projects", { ...as("x"), body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_request", field });
  });

  it("needs a manage key and an X-Actor", async () => {
    const body = { id: uid("p"), owner: "user:x" };
    expect((await server.call("POST", "/v1/projects", { key: null, actor: "user:x", body })).status).toBe(401);
    expect((await server.call("POST", "/v1/projects", { key: "check", actor: "user:x", body })).status).toBe(403);
    const noActor = await server.call("POST", "/v1/projects", { key: "manage", body });
    expect(noActor.status).toBe(400);
    expect(noActor.body.field).toBe("header.x-actor");
  });
});

describe("GET /v1/projects/:project", () => {
  it("shows id, name and owner to viewers only", async () => {
    const o = await org();
    const p = uid("p");
    await server.call("POST", "/v1/projects", { ...as(o.admin), body: { id: p, owner: `organization:${o.id}`, name: "Dashboards" } });
    await write(`project:${p}#viewer@user:${o.member}`);
    const res = await server.call("GET", `/v1/projects/${p}`, as(o.member));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: p, name: "Dashboards", owner: `organization:${o.id}`, defaultRole: "editor" });
    const stranger = await server.call("GET", `/v1/projects/${p}`, as(uid("x")));
    expect(stranger.status).toBe(403);
    expect((await server.call("GET", `/v1/projects/${uid("none")}`, as(o.admin))).status).toBe(404);
  });
});

describe("DELETE /v1/projects/:project", () => {
  it("needs delete_project, then removes every relationship naming the project", async () => {
    const o = await org();
    const [p, r, role, g] = [uid("p"), uid("r"), uid("role"), uid("g")];
    await server.call("POST", "/v1/projects", { ...as(o.admin), body: { id: p, owner: `organization:${o.id}` } });
    await write(
      `project:${p}#manager@user:${o.member}`,
      `group:${g}#organization@organization:${o.id}`,
      `project:${p}#viewer@group:${g}#member`,
      `role:${role}#organization@organization:${o.id}`,
      `project:${p}#binding@role_binding:${p}|${role}`,
      `role_binding:${p}|${role}#role@role:${role}`,
      `role_binding:${p}|${role}#holder@user:${o.creator}`,
      `resource:${r}#project@project:${p}`,
      `resource:${r}#viewer@user:${o.creator}`,
    );
    const denied = await server.call("DELETE", `/v1/projects/${p}`, as(o.member));
    expect(denied.status).toBe(403);
    expect(await relationships(`resourceType=project&resourceId=${p}`)).toHaveLength(5);

    const res = await server.call("DELETE", `/v1/projects/${p}`, as(o.owner));
    expect(res.status).toBe(200);
    expect(res.body.deletedRelationships).toBe(9);
    expect(typeof res.body.zedToken).toBe("string");
    expect(await relationships(`resourceType=project&resourceId=${p}`)).toEqual([]);
    expect(await relationships(`resourceType=role_binding&resourceId=${p}|${role}`)).toEqual([]);
    expect(await relationships(`resourceType=resource&resourceId=${r}`)).toEqual([]);
    // The organization's own objects stay.
    expect(await relationships(`resourceType=group&resourceId=${g}`)).toHaveLength(1);
    expect(await relationships(`resourceType=role&resourceId=${role}`)).toHaveLength(1);
    expect(await allowed(`resource:${r}`, "view", `user:${o.creator}`)).toBe(false);
    expect((await server.call("GET", `/v1/projects/${p}`, as(o.owner))).status).toBe(404);
    // The id is free again.
    expect((await server.call("POST", "/v1/projects", { ...as(o.admin), body: { id: p, owner: `organization:${o.id}` } })).status).toBe(201);
  });
});

describe("rules", () => {
  const ALL = ["view", "view_members", "comment", "create", "edit", "delete", "manage_members", "manage_settings", "manage_admins", "delete_project"];

  it("rule 2: org admins and owners, and project admins, hold every project permission whatever custom roles say", async () => {
    const o = await org();
    const [p, role, padm] = [uid("p"), uid("role"), uid("padm")];
    await server.call("POST", "/v1/projects", { ...as(o.creator), body: { id: p, owner: `organization:${o.id}` } });
    // A custom role with no permission at all, held by the project admin.
    await write(
      `organization:${o.id}#member@user:${padm}`,
      `project:${p}#admin@user:${padm}`,
      `role:${role}#organization@organization:${o.id}`,
      `project:${p}#binding@role_binding:${p}|${role}`,
      `role_binding:${p}|${role}#role@role:${role}`,
      `role_binding:${p}|${role}#holder@user:${padm}`,
    );
    for (const user of [o.admin, o.owner, padm]) {
      for (const permission of ALL) expect(await allowed(`project:${p}`, permission, `user:${user}`), `${user} ${permission}`).toBe(true);
    }
    for (const permission of ALL) expect(await allowed(`project:${p}`, permission, `user:${o.member}`)).toBe(false);
  });

  it("rule 4: project membership never grants organization membership nor other projects", async () => {
    const o = await org();
    const [p, q, outsider] = [uid("p"), uid("p"), uid("out")];
    await server.call("POST", "/v1/projects", { ...as(o.admin), body: { id: p, owner: `organization:${o.id}` } });
    await server.call("POST", "/v1/projects", { ...as(o.admin), body: { id: q, owner: `organization:${o.id}` } });
    // An outsider slipped in by a raw write: the project role still never opens the org.
    await write(`project:${p}#editor@user:${outsider}`);
    expect(await allowed(`project:${p}`, "edit", `user:${outsider}`)).toBe(true);
    expect(await allowed(`organization:${o.id}`, "view", `user:${outsider}`)).toBe(false);
    expect(await allowed(`project:${q}`, "view", `user:${outsider}`)).toBe(false);
    expect(await allowed(`project:${q}`, "view", `user:${o.member}`)).toBe(false);
  });

  it("rule 11: a check right after a write sees it, also with the returned zedToken", async () => {
    const o = await org();
    for (let i = 0; i < 3; i++) {
      const p = uid("p");
      const created = await server.call("POST", "/v1/projects", { ...as(o.admin), body: { id: p, owner: `organization:${o.id}` } });
      expect(await allowed(`project:${p}`, "manage_admins", `user:${o.admin}`)).toBe(true);
      const granted = await server.call("PUT", `/v1/projects/${p}/members/user:${o.member}`, { ...as(o.admin), body: { role: "editor" } });
      expect(granted.status).toBe(200);
      expect(await allowed(`project:${p}`, "edit", `user:${o.member}`)).toBe(true);
      expect(await allowed(`project:${p}`, "edit", `user:${o.member}`, { atLeastAsFresh: granted.body.zedToken })).toBe(true);
      expect(await allowed(`project:${p}`, "view", `user:${o.admin}`, { atLeastAsFresh: created.body.zedToken })).toBe(true);
      const removed = await server.call("DELETE", `/v1/projects/${p}/members/user:${o.member}`, as(o.admin));
      expect(await allowed(`project:${p}`, "view", `user:${o.member}`, { atLeastAsFresh: removed.body.zedToken })).toBe(false);
    }
  });
});
