// Pins rule 15 of docs/rules.md through HTTP: removing a project member takes their roles,
// their grants on the project's workspaces, folders and resources, their per-project scopes and
// their pending invitation in one write, and cuts what reaches them through groups (the
// `project#removed` exclusion) until they are granted something there again; the organization's
// admin/owner bypass stays. Also rule 6 (leaving the organization) over the same content.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ApiKeyRing } from "../src/auth/api-keys.js";
import { buildApp } from "../src/compose.js";
import { createLogger } from "../src/logger.js";
import { StoreError, type Store } from "../src/store/store.js";
import { productCalls } from "./support/product-calls.js";
import { KEYS, uid, useTestServer } from "./support/test-server.js";

const server = useTestServer();
const { as, allowed, tuples, raw } = productCalls(() => server);

const enc = encodeURIComponent;
const remove = (p: string, subject: string, actor: string) => server.call("DELETE", `/v1/projects/${p}/members/${enc(subject)}`, as(actor));
const grant = (p: string, subject: string, actor: string, role: string) => server.call("PUT", `/v1/projects/${p}/members/${enc(subject)}`, { ...as(actor), body: { role } });
const share = (kind: string, id: string, subject: string, actor: string, role: string) => server.call("PUT", `/v1/${kind}s/${id}/members/${enc(subject)}`, { ...as(actor), body: { role } });
const invite = (p: string, user: string, actor: string) => server.call("POST", `/v1/projects/${p}/invitations`, { ...as(actor), body: { invitees: [user], role: "viewer" } });
const pending = async (p: string, actor: string) => {
  const res = await server.call("GET", `/v1/projects/${p}/invitations?status=pending`, as(actor));
  expect(res.status).toBe(200);
  return (res.body.invitations as Array<{ invitee: string }>).map((i) => i.invitee);
};

/** footprint lists every relationship naming the user on the project and its content (and features). */
async function footprint(w: World, user: string): Promise<string[]> {
  const all: string[] = [];
  for (const resourceType of ["project", "workspace", "folder", "resource", "project_feature"]) {
    all.push(...(await tuples({ resourceType, subjectType: "user", subjectId: user })).filter((r) => w.objects.some((o) => r.startsWith(`${o}#`))));
  }
  return all.sort();
}

type World = Awaited<ReturnType<typeof world>>;

/**
 * world: organization `org` (owner `own`, who creates project `p` and is its admin), a manager,
 * the member to remove `u`, an org admin `oa` who is a project editor too, and `gm`, another
 * member of group `g`. `g` (holding u, oa and gm) is a viewer of the project; group `outer`
 * contains `g` and is a viewer of folder f2. Content: workspace ws ▸ f ▸ r, f2 ▸ r2.
 * u: editor, viewer of ws, editor of f, viewer of r2, scope settings_members full, feature
 * analytics full, and a pending invitation sent before they were added.
 */
async function world() {
  const w = {
    org: uid("org"),
    p: uid("p"),
    own: uid("own"),
    mgr: uid("mgr"),
    u: uid("u"),
    oa: uid("oa"),
    gm: uid("gm"),
    g: uid("g"),
    outer: uid("outer"),
    ws: uid("ws"),
    f: uid("f"),
    f2: uid("f2"),
    r: uid("r"),
    r2: uid("r2"),
    objects: [] as string[],
  };
  w.objects = [`project:${w.p}`, `workspace:${w.ws}`, `folder:${w.f}`, `folder:${w.f2}`, `resource:${w.r}`, `resource:${w.r2}`, `project_feature:${w.p}|analytics`];
  await raw(
    `organization:${w.org}#owner@user:${w.own}`,
    `organization:${w.org}#admin@user:${w.oa}`,
    ...[w.mgr, w.u, w.gm].map((user) => `organization:${w.org}#member@user:${user}`),
    `group:${w.g}#organization@organization:${w.org}`,
    `group:${w.outer}#organization@organization:${w.org}`,
    ...[w.u, w.oa, w.gm].map((user) => `group:${w.g}#direct_member@user:${user}`),
    `group:${w.outer}#direct_member@group:${w.g}#member`,
  );
  const made = (res: { status: number }) => expect(res.status).toBeLessThan(300);
  made(await server.call("POST", "/v1/projects", { ...as(w.own), body: { id: w.p, owner: `organization:${w.org}` } }));
  made(await grant(w.p, `user:${w.mgr}`, w.own, "manager"));
  made(await invite(w.p, w.u, w.mgr));
  made(await grant(w.p, `user:${w.u}`, w.mgr, "editor"));
  made(await grant(w.p, `user:${w.oa}`, w.mgr, "editor"));
  made(await grant(w.p, `group:${w.g}`, w.mgr, "viewer"));
  made(await server.call("POST", `/v1/projects/${w.p}/workspaces`, { ...as(w.own), body: { id: w.ws } }));
  made(await server.call("POST", "/v1/folders", { ...as(w.own), body: { id: w.f, parent: `workspace:${w.ws}` } }));
  made(await server.call("POST", "/v1/folders", { ...as(w.own), body: { id: w.f2, parent: `workspace:${w.ws}` } }));
  made(await server.call("PUT", `/v1/resources/${w.r}`, { ...as(w.own), body: { project: w.p, parent: `folder:${w.f}` } }));
  made(await server.call("PUT", `/v1/resources/${w.r2}`, { ...as(w.own), body: { project: w.p, parent: `folder:${w.f2}` } }));
  made(await share("workspace", w.ws, `user:${w.u}`, w.own, "viewer"));
  made(await share("folder", w.f, `user:${w.u}`, w.own, "editor"));
  made(await share("resource", w.r2, `user:${w.u}`, w.own, "viewer"));
  made(await share("folder", w.f2, `group:${w.outer}`, w.own, "viewer"));
  made(await share("workspace", w.ws, `user:${w.oa}`, w.own, "editor"));
  // Per-project scopes are rule 13's endpoints; here they are written as that rule stores them.
  await raw(
    `project:${w.p}#settings_members_full@user:${w.u}`,
    `project_feature:${w.p}|analytics#project@project:${w.p}`,
    `project_feature:${w.p}|analytics#scope_full@user:${w.u}`,
  );
  return w;
}

/** reachable: what the user can do anywhere in the project (false everywhere after a removal). */
async function reachable(w: World, user: string): Promise<string[]> {
  const questions: Array<[string, string]> = [
    [`project:${w.p}`, "view"],
    [`project:${w.p}`, "access"],
    [`project:${w.p}`, "view_settings_members"],
    [`project_feature:${w.p}|analytics`, "view"],
    [`workspace:${w.ws}`, "view"],
    [`folder:${w.f}`, "edit"],
    [`folder:${w.f2}`, "view"],
    [`resource:${w.r}`, "view"],
    [`resource:${w.r2}`, "view"],
  ];
  const held: string[] = [];
  for (const [resource, permission] of questions) if (await allowed(resource, permission, `user:${user}`)) held.push(`${resource}#${permission}`);
  return held;
}

describe("rule 15: removing a project member", () => {
  it("takes roles, content grants, scopes and the pending invitation in one write, and cuts group-derived access too", async () => {
    const w = await world();
    expect(await reachable(w, w.u)).toHaveLength(9);
    expect(await pending(w.p, w.mgr)).toEqual([`user:${w.u}`]);
    const removed = await remove(w.p, `user:${w.u}`, w.mgr);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({
      subject: `user:${w.u}`,
      removed: ["editor"],
      invitations: 1,
      excluded: true,
      groups: [`group:${w.g}`, `group:${w.outer}`].sort(),
    });
    expect([...removed.body.content].sort()).toEqual([`folder:${w.f}#editor`, `resource:${w.r2}#viewer`, `workspace:${w.ws}#viewer`].sort());
    expect([...removed.body.scopes].sort()).toEqual([`project:${w.p}#settings_members_full`, `project_feature:${w.p}|analytics#scope_full`]);
    expect(typeof removed.body.zedToken).toBe("string");
    // No relationship of theirs is left in the project; only the exclusion names them.
    expect(await footprint(w, w.u)).toEqual([`project:${w.p}#removed@user:${w.u}`]);
    expect(await pending(w.p, w.mgr)).toEqual([]);
    // No access by any path: the group's project role and its folder grant are cut for them only.
    expect(await reachable(w, w.u)).toEqual([]);
    expect(await allowed(`project:${w.p}`, "view", `user:${w.gm}`)).toBe(true);
    expect(await allowed(`resource:${w.r2}`, "view", `user:${w.gm}`)).toBe(true);
    // Removed users are never listed as having access.
    const access = await server.call("GET", `/v1/projects/${w.p}/access?permission=view&limit=200`, as(w.mgr));
    const users = (access.body.access as Array<{ user: string }>).map((e) => e.user);
    expect(users).toContain(`user:${w.gm}`);
    expect(users).not.toContain(`user:${w.u}`);
    const folderAccess = await server.call("GET", `/v1/folders/${w.f2}/access?permission=view&limit=200`, as(w.mgr));
    expect((folderAccess.body.access as Array<{ user: string }>).map((e) => e.user)).not.toContain(`user:${w.u}`);
    // Nothing is left to remove.
    const again = await remove(w.p, `user:${w.u}`, w.mgr);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe("not_found");
  });

  it("leaves the organization's admin/owner bypass: an org admin removed from the project still has it, and explain says so", async () => {
    const w = await world();
    const res = await remove(w.p, `user:${w.oa}`, w.mgr);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ removed: ["editor"], content: [`workspace:${w.ws}#editor`], excluded: true });
    expect(await footprint(w, w.oa)).toEqual([`project:${w.p}#removed@user:${w.oa}`]);
    expect(await allowed(`resource:${w.r}`, "edit", `user:${w.oa}`)).toBe(true);
    const why = await server.call("POST", "/v1/explain", { body: { resource: `project:${w.p}`, permission: "view", subject: `user:${w.oa}` } });
    expect(why.body.reasons).toEqual([`admin of organization ${w.org} (bypass)`]);
  });

  it("granting them anything in the project again lifts the exclusion in the same write: a role, a share, an accepted invitation", async () => {
    const w = await world();
    const excluded = async () => (await tuples({ resourceType: "project", resourceId: w.p, relation: "removed" })).includes(`project:${w.p}#removed@user:${w.u}`);

    expect((await remove(w.p, `user:${w.u}`, w.mgr)).status).toBe(200);
    expect(await excluded()).toBe(true);
    expect((await grant(w.p, `user:${w.u}`, w.mgr, "guest")).status).toBe(200);
    expect(await excluded()).toBe(false);
    // Their groups count again: the group's viewer role and the outer group's folder grant.
    expect(await allowed(`project:${w.p}`, "view", `user:${w.u}`)).toBe(true);
    expect(await allowed(`resource:${w.r2}`, "view", `user:${w.u}`)).toBe(true);

    expect((await remove(w.p, `user:${w.u}`, w.mgr)).status).toBe(200);
    expect(await allowed(`project:${w.p}`, "view", `user:${w.u}`)).toBe(false);
    expect((await share("folder", w.f, `user:${w.u}`, w.own, "viewer")).status).toBe(200);
    expect(await excluded()).toBe(false);
    expect(await allowed(`project:${w.p}`, "view", `user:${w.u}`)).toBe(true);

    expect((await remove(w.p, `user:${w.u}`, w.mgr)).status).toBe(200);
    const sent = await invite(w.p, w.u, w.mgr);
    const id = sent.body.results[0].invitation.id as string;
    expect((await server.call("POST", `/v1/invitations/${id}/accept`, as(w.u))).status).toBe(200);
    expect(await excluded()).toBe(false);
    expect(await allowed(`resource:${w.r2}`, "view", `user:${w.u}`)).toBe(true);
  });

  it("a user reached only through a group is excluded; one reached by nothing is 404; a group loses its grants without any exclusion", async () => {
    const w = await world();
    const [only, stranger] = [uid("only"), uid("str")];
    await raw(`organization:${w.org}#member@user:${only}`, `organization:${w.org}#member@user:${stranger}`, `group:${w.g}#direct_member@user:${only}`);
    expect(await allowed(`project:${w.p}`, "view", `user:${only}`)).toBe(true);
    const cut = await remove(w.p, `user:${only}`, w.mgr);
    expect(cut.status).toBe(200);
    expect(cut.body).toMatchObject({ removed: [], content: [], scopes: [], excluded: true });
    expect(await allowed(`project:${w.p}`, "view", `user:${only}`)).toBe(false);
    expect(await allowed(`resource:${w.r2}`, "view", `user:${only}`)).toBe(false);
    const nothing = await remove(w.p, `user:${stranger}`, w.mgr);
    expect(nothing.status).toBe(404);
    expect(await tuples({ resourceType: "project", resourceId: w.p, subjectType: "user", subjectId: stranger })).toEqual([]);

    await share("folder", w.f, `group:${w.g}`, w.own, "editor");
    const group = await remove(w.p, `group:${w.g}`, w.mgr);
    expect(group.status).toBe(200);
    expect(group.body).toMatchObject({ removed: ["viewer"], content: [`folder:${w.f}#editor`], excluded: false });
    for (const resourceType of ["project", "workspace", "folder", "resource"]) {
      expect(await tuples({ resourceType, subjectType: "group", subjectId: w.g }), resourceType).toEqual([]);
    }
    expect(await tuples({ resourceType: "project", resourceId: w.p, relation: "removed", subjectType: "user", subjectId: w.gm })).toEqual([]);
    expect(await allowed(`project:${w.p}`, "view", `user:${w.gm}`)).toBe(false);
    // The outer group still holds its folder grant (g is still inside outer).
    expect(await allowed(`resource:${w.r2}`, "view", `user:${w.gm}`)).toBe(true);
  });

  it("rule 3 holds: a manager cannot remove an admin (403, nothing written); the personal owner cannot be removed", async () => {
    const w = await world();
    await grant(w.p, `user:${w.u}`, w.own, "admin");
    const before = await footprint(w, w.u);
    const res = await remove(w.p, `user:${w.u}`, w.mgr);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("forbidden");
    expect(await footprint(w, w.u)).toEqual(before);
    expect(await pending(w.p, w.mgr)).toEqual([`user:${w.u}`]);
    expect((await remove(w.p, `user:${w.u}`, w.own)).status).toBe(200);
  });

  it("on a personal project: role and shares go, and no exclusion is written (groups cannot reach it)", async () => {
    const [pat, friend, pp, ws] = [uid("pat"), uid("fr"), uid("pp"), uid("ws")];
    await server.call("PUT", `/v1/users/${pat}/plan`, { body: { plan: "scale" } });
    expect((await server.call("POST", "/v1/projects", { ...as(pat), body: { id: pp, owner: `user:${pat}` } })).status).toBe(201);
    expect((await server.call("POST", `/v1/projects/${pp}/workspaces`, { ...as(pat), body: { id: ws } })).status).toBe(201);
    await grant(pp, `user:${friend}`, pat, "viewer");
    await share("workspace", ws, `user:${friend}`, pat, "editor");
    const res = await remove(pp, `user:${friend}`, pat);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ removed: ["viewer"], content: [`workspace:${ws}#editor`], excluded: false });
    for (const resourceType of ["project", "workspace"]) expect(await tuples({ resourceType, subjectType: "user", subjectId: friend })).toEqual([]);
    expect(await allowed(`workspace:${ws}`, "view", `user:${friend}`)).toBe(false);
  });

  it("is atomic: when the pending invitation cannot be ended, nothing is removed (503)", async () => {
    const w = await world();
    const store = new Proxy(server.store as Store, {
      get(target, property, receiver) {
        if (property === "updateInvitation") return () => Promise.reject(new StoreError("unavailable", "disk full"));
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const app = buildApp({ engine: server.engine, store, keys: ApiKeyRing.fromConfig([{ name: "manage", key: KEYS.manage, scopes: ["manage"] }]), logger: createLogger("silent") });
    const listener: Server = await new Promise((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const before = await footprint(w, w.u);
    try {
      const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
      const res = await fetch(`${url}/v1/projects/${w.p}/members/${enc(`user:${w.u}`)}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${KEYS.manage}`, "x-actor": `user:${w.mgr}` },
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe("unavailable");
    } finally {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
    }
    expect(await footprint(w, w.u)).toEqual(before);
    expect(before.length).toBeGreaterThanOrEqual(6);
    expect(await pending(w.p, w.mgr)).toEqual([`user:${w.u}`]);
    expect(await reachable(w, w.u)).toHaveLength(9);
  });
});

describe("rule 6 over content: leaving the organization", () => {
  it("removes the user's workspace, folder and resource grants, scopes and removal marks in the org's projects", async () => {
    const w = await world();
    const p2 = uid("p");
    await server.call("POST", "/v1/projects", { ...as(w.own), body: { id: p2, owner: `organization:${w.org}` } });
    await grant(p2, `group:${w.g}`, w.own, "viewer");
    expect((await remove(p2, `user:${w.u}`, w.own)).body.excluded).toBe(true);
    w.objects.push(`project:${p2}`);
    expect((await footprint(w, w.u)).length).toBeGreaterThanOrEqual(7);
    const res = await server.call("DELETE", `/v1/orgs/${w.org}/members/${w.u}`, as(w.own));
    expect(res.status).toBe(200);
    expect(await footprint(w, w.u)).toEqual([]);
    for (const resourceType of ["group", "organization"]) expect(await tuples({ resourceType, subjectType: "user", subjectId: w.u })).toEqual([]);
    expect(await reachable(w, w.u)).toEqual([]);
  });

  it("deleting the organization deletes its projects' workspaces, folders, feature objects, scopes and removal marks", async () => {
    const w = await world();
    expect((await remove(w.p, `user:${w.gm}`, w.mgr)).body.excluded).toBe(true);
    const named = async () => {
      const all: string[] = [];
      for (const object of w.objects) {
        const [resourceType, resourceId] = object.split(":") as [string, string];
        all.push(...(await tuples({ resourceType, resourceId })));
      }
      return all;
    };
    expect((await named()).length).toBeGreaterThan(15);
    expect((await server.call("DELETE", `/v1/orgs/${w.org}`, as(w.own))).status).toBe(200);
    expect(await named()).toEqual([]);
    expect(await tuples({ resourceType: "folder", subjectType: "workspace", subjectId: w.ws })).toEqual([]);
  });
});
