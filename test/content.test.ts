// Pins rule 12 of docs/rules.md (content hierarchy) through HTTP: workspaces and folders of a
// project, access flowing down (users and groups, to any depth), what a guest sees, who may
// create, share and push, moves (cycles, other projects, depth), deletes that leave no
// relationship behind, explain and access lists in product terms, and atomic multi-step writes.
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
const post = (path: string, actor: string, body: unknown) => server.call("POST", path, { ...as(actor), body });
const newWorkspace = (p: string, id: string, actor: string, name?: string) => post(`/v1/projects/${p}/workspaces`, actor, { id, ...(name ? { name } : {}) });
const newFolder = (id: string, parent: string, actor: string, name?: string) => post("/v1/folders", actor, { id, parent, ...(name ? { name } : {}) });
const share = (kind: string, id: string, subject: string, actor: string, body: object) => server.call("PUT", `/v1/${kind}s/${id}/members/${enc(subject)}`, { ...as(actor), body });
const register = (r: string, actor: string, body: object) => server.call("PUT", `/v1/resources/${r}`, { ...as(actor), body });
const move = (f: string, actor: string, body: object) => server.call("PATCH", `/v1/folders/${f}`, { ...as(actor), body });

/** everything lists the stored relationships of objects and those naming them, for "nothing written / nothing left". */
async function everything(objects: string[]): Promise<string[]> {
  const all = new Set<string>();
  for (const object of objects) {
    const [type, id] = object.split(":") as [string, string];
    for (const r of await tuples({ resourceType: type, resourceId: id })) all.add(r);
    for (const resourceType of ["project", "workspace", "folder", "resource"]) {
      for (const r of await tuples({ resourceType, subjectType: type, subjectId: id })) all.add(r);
    }
  }
  return [...all].sort();
}

/**
 * world: an organization with its project (created through the API by the owner, its admin);
 * one user per project role, a plain org member, an outsider, and a group of the org with a
 * member nested through a second group.
 */
async function world() {
  const w = {
    org: uid("org"),
    p: uid("p"),
    owner: uid("own"),
    admin: uid("adm"),
    manager: uid("mgr"),
    editor: uid("edi"),
    viewer: uid("vie"),
    guest: uid("gue"),
    member: uid("mem"),
    grouped: uid("grp"),
    nested: uid("nst"),
    outsider: uid("out"),
    group: uid("g"),
    inner: uid("gi"),
  };
  await raw(
    `organization:${w.org}#owner@user:${w.owner}`,
    ...[w.admin, w.manager, w.editor, w.viewer, w.guest, w.member, w.grouped, w.nested].map((u) => `organization:${w.org}#member@user:${u}`),
    `group:${w.group}#organization@organization:${w.org}`,
    `group:${w.inner}#organization@organization:${w.org}`,
    `group:${w.group}#direct_member@user:${w.grouped}`,
    `group:${w.group}#direct_member@group:${w.inner}#member`,
    `group:${w.inner}#direct_member@user:${w.nested}`,
  );
  expect((await post("/v1/projects", w.owner, { id: w.p, owner: `organization:${w.org}` })).status).toBe(201);
  await raw(
    `project:${w.p}#admin@user:${w.admin}`,
    `project:${w.p}#manager@user:${w.manager}`,
    `project:${w.p}#editor@user:${w.editor}`,
    `project:${w.p}#viewer@user:${w.viewer}`,
    `project:${w.p}#guest@user:${w.guest}`,
  );
  return w;
}

/** tree: workspace ws ▸ f1 ▸ f2 ▸ f3 ▸ resource r (depth 3 of folders), made by the project admin. */
async function tree(w: Awaited<ReturnType<typeof world>>) {
  const t = { ws: uid("ws"), f1: uid("f1"), f2: uid("f2"), f3: uid("f3"), r: uid("r") };
  expect((await newWorkspace(w.p, t.ws, w.admin)).status).toBe(201);
  expect((await newFolder(t.f1, `workspace:${t.ws}`, w.admin)).status).toBe(201);
  expect((await newFolder(t.f2, `folder:${t.f1}`, w.admin)).status).toBe(201);
  expect((await newFolder(t.f3, `folder:${t.f2}`, w.admin)).status).toBe(201);
  expect((await register(t.r, w.admin, { project: w.p, parent: `folder:${t.f3}` })).status).toBe(201);
  return t;
}

describe("rule 12: workspaces and folders, and who may create them", () => {
  it("editor+ creates workspaces (viewer and guest 403, nothing written); the creator becomes its editor; 409 on a taken id", async () => {
    const w = await world();
    const [ws, other] = [uid("ws"), uid("ws")];
    for (const actor of [w.viewer, w.guest, w.member]) {
      const refused = await newWorkspace(w.p, ws, actor);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("forbidden");
    }
    expect(await everything([`workspace:${ws}`])).toEqual([]);
    const created = await newWorkspace(w.p, ws, w.editor, "Sales");
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: ws, project: w.p, name: "Sales" });
    expect(typeof created.body.zedToken).toBe("string");
    expect(await everything([`workspace:${ws}`])).toEqual(
      [`project:${w.p}#workspace@workspace:${ws}`, `workspace:${ws}#editor@user:${w.editor}`, `workspace:${ws}#project@project:${w.p}`].sort(),
    );
    expect(await allowed(`workspace:${ws}`, "manage_access", `user:${w.editor}`)).toBe(true);
    expect(await allowed(`workspace:${ws}`, "view", `user:${w.viewer}`)).toBe(true);
    expect(await allowed(`workspace:${ws}`, "view", `user:${w.guest}`)).toBe(false);
    const taken = await newWorkspace(w.p, ws, w.manager);
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe("already_exists");
    expect((await newWorkspace(uid("nope"), other, w.owner)).status).toBe(404);

    // Listing: project members see every workspace; a guest only the ones shared with them.
    expect((await newWorkspace(w.p, other, w.manager)).status).toBe(201);
    const listed = await server.call("GET", `/v1/projects/${w.p}/workspaces`, as(w.viewer));
    expect(listed.status).toBe(200);
    expect(listed.body.workspaces.map((x: { id: string }) => x.id).sort()).toEqual([ws, other].sort());
    expect(listed.body.workspaces.find((x: { id: string }) => x.id === ws)).toEqual({ id: ws, project: w.p, name: "Sales" });
    expect((await server.call("GET", `/v1/projects/${w.p}/workspaces?limit=1`, as(w.viewer))).body.cursor).toBeDefined();
    expect((await server.call("GET", `/v1/projects/${w.p}/workspaces`, as(w.guest))).body.workspaces).toEqual([]);
    await share("workspace", other, `user:${w.guest}`, w.admin, { role: "viewer" });
    expect((await server.call("GET", `/v1/projects/${w.p}/workspaces`, as(w.guest))).body.workspaces.map((x: { id: string }) => x.id)).toEqual([other]);
    expect((await server.call("GET", `/v1/projects/${w.p}/workspaces`, as(w.outsider))).status).toBe(403);
  });

  it("manager+ creates top-level folders (editor 403, nothing written); sub-folders need edit on the parent", async () => {
    const w = await world();
    const [ws, top, sub, denied] = [uid("ws"), uid("f"), uid("f"), uid("f")];
    await newWorkspace(w.p, ws, w.editor);
    const refused = await newFolder(denied, `workspace:${ws}`, w.editor);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("forbidden");
    expect(await everything([`folder:${denied}`])).toEqual([]);
    const created = await newFolder(top, `workspace:${ws}`, w.manager, "Reports");
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: top, project: w.p, parent: `workspace:${ws}`, name: "Reports" });
    expect(await tuples({ resourceType: "folder", resourceId: top })).toEqual(
      [`folder:${top}#editor@user:${w.manager}`, `folder:${top}#parent@workspace:${ws}`, `folder:${top}#project@project:${w.p}`].sort(),
    );
    expect((await newFolder(denied, `folder:${top}`, w.viewer)).status).toBe(403);
    expect((await newFolder(sub, `folder:${top}`, w.editor)).status).toBe(201);
    expect((await newFolder(uid("f"), `folder:${uid("none")}`, w.manager)).status).toBe(404);
    const bad = await newFolder(uid("f"), `project:${w.p}`, w.manager);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("parent");
  });
});

describe("rule 12: access flows down", () => {
  it("a viewer or editor grant on a workspace or folder reaches everything below it, to depth 3 and more (users and nested groups)", async () => {
    const w = await world();
    const t = await tree(w);
    expect((await share("workspace", t.ws, `user:${w.guest}`, w.admin, { role: "viewer" })).status).toBe(200);
    const grouped = await share("folder", t.f1, `group:${w.group}`, w.admin, { role: "editor" });
    expect(grouped.status).toBe(200);
    expect(grouped.body).toMatchObject({ folder: t.f1, subject: `group:${w.group}`, role: "editor" });
    for (const object of [`workspace:${t.ws}`, `folder:${t.f1}`, `folder:${t.f2}`, `folder:${t.f3}`, `resource:${t.r}`]) {
      expect(await allowed(object, "view", `user:${w.guest}`), object).toBe(true);
      expect(await allowed(object, "edit", `user:${w.guest}`), object).toBe(false);
    }
    for (const user of [w.grouped, w.nested]) {
      expect(await allowed(`workspace:${t.ws}`, "view", `user:${user}`)).toBe(false);
      for (const object of [`folder:${t.f1}`, `folder:${t.f2}`, `folder:${t.f3}`, `resource:${t.r}`]) {
        expect(await allowed(object, "edit", `user:${user}`), `${user} ${object}`).toBe(true);
      }
      expect(await allowed(`resource:${t.r}`, "delete", `user:${user}`)).toBe(false);
    }
    expect(await allowed(`resource:${t.r}`, "view", `user:${w.member}`)).toBe(false);
    // One relationship per grant, whatever lies below.
    expect(await tuples({ resourceType: "folder", resourceId: t.f1, relation: "editor" })).toEqual([`folder:${t.f1}#editor@group:${w.group}#member`, `folder:${t.f1}#editor@user:${w.admin}`].sort());
    // Unsharing ends it below too.
    expect((await server.call("DELETE", `/v1/workspaces/${t.ws}/members/user:${w.guest}`, as(w.admin))).body.removed).toEqual(["viewer"]);
    expect(await allowed(`resource:${t.r}`, "view", `user:${w.guest}`)).toBe(false);
  });

  it("a guest sees only what is shared with them: directly, through a group, or inherited from above", async () => {
    const w = await world();
    const t = await tree(w);
    const [loose, other] = [uid("r"), uid("r")];
    await register(loose, w.editor, { project: w.p });
    await register(other, w.editor, { project: w.p, parent: `workspace:${t.ws}` });
    await raw(`group:${w.group}#direct_member@user:${w.guest}`);
    const seen = async () => {
      const res = await server.call("POST", "/v1/lookup/resources", { key: "check", body: { resourceType: "resource", permission: "view", subject: `user:${w.guest}` } });
      return (res.body.resources as string[]).filter((id) => [t.r, loose, other].includes(id)).sort();
    };
    expect(await seen()).toEqual([]);
    await share("resource", loose, `user:${w.guest}`, w.manager, { role: "viewer" });
    expect(await seen()).toEqual([loose]);
    await share("folder", t.f2, `group:${w.group}`, w.admin, { role: "viewer" });
    expect(await seen()).toEqual([loose, t.r].sort());
    expect(await allowed(`folder:${t.f1}`, "view", `user:${w.guest}`)).toBe(false);
    expect(await allowed(`project:${w.p}`, "view", `user:${w.guest}`)).toBe(false);
  });
});

describe("rule 12: managing access and pushing content", () => {
  it("only admins manage access without a grant; an editor with an editor grant shares below it; refusals write nothing", async () => {
    const w = await world();
    const t = await tree(w);
    for (const actor of [w.manager, w.editor, w.viewer]) {
      const refused = await share("folder", t.f2, `user:${w.member}`, actor, { role: "viewer" });
      expect(refused.status, actor).toBe(403);
      expect(refused.body.code).toBe("forbidden");
    }
    expect(await tuples({ resourceType: "folder", resourceId: t.f2, relation: "viewer" })).toEqual([]);
    expect((await share("folder", t.f2, `user:${w.member}`, w.admin, { role: "viewer" })).status).toBe(200);
    expect((await share("folder", t.f2, `user:${w.member}`, w.owner, { role: "editor" })).status).toBe(200);
    expect(await tuples({ resourceType: "folder", resourceId: t.f2, subjectType: "user", subjectId: w.member })).toEqual([`folder:${t.f2}#editor@user:${w.member}`]);
    // The editor given an editor grant on f1 shares f1's content; a viewer grant is not enough.
    await share("folder", t.f1, `user:${w.editor}`, w.admin, { role: "editor" });
    await share("folder", t.f1, `user:${w.viewer}`, w.admin, { role: "viewer" });
    expect((await share("folder", t.f3, `user:${w.guest}`, w.editor, { role: "viewer" })).status).toBe(200);
    expect((await share("resource", t.r, `user:${w.member}`, w.editor, { role: "viewer" })).status).toBe(200);
    expect((await share("folder", t.f3, `user:${w.member}`, w.viewer, { role: "viewer" })).status).toBe(403);
    // Rules 4 and 5, and roles.
    const outsider = await share("folder", t.f1, `user:${w.outsider}`, w.admin, { role: "viewer" });
    expect(outsider.status).toBe(422);
    expect(outsider.body.code).toBe("not_org_member");
    const role = await share("workspace", t.ws, `user:${w.member}`, w.admin, { role: "manager" });
    expect(role.status).toBe(422);
    expect(role.body.code).toBe("invalid_role");
    expect(await tuples({ resourceType: "folder", resourceId: t.f1, subjectType: "user", subjectId: w.outsider })).toEqual([]);
    expect((await share("folder", uid("none"), `user:${w.member}`, w.admin, { role: "viewer" })).status).toBe(404);
  });

  it("groups only on organization projects (422 groups_not_allowed on a personal project)", async () => {
    const pat = uid("pat");
    const [pp, ws, g, friend] = [uid("pp"), uid("ws"), uid("g"), uid("fr")];
    expect((await post("/v1/projects", pat, { id: pp, owner: `user:${pat}` })).status).toBe(201);
    // Rule 17 (the owner's plan) decides whether a personal project takes direct grants at all.
    await server.call("PUT", `/v1/users/${pat}/plan`, { body: { plan: "scale" } });
    expect((await newWorkspace(pp, ws, pat)).status).toBe(201);
    await raw(`group:${g}#organization@organization:${uid("org")}`);
    const group = await share("workspace", ws, `group:${g}`, pat, { role: "viewer" });
    expect(group.status).toBe(422);
    expect(group.body.code).toBe("groups_not_allowed");
    expect(await tuples({ resourceType: "workspace", resourceId: ws, subjectType: "group" })).toEqual([]);
    expect((await share("workspace", ws, `user:${friend}`, pat, { role: "viewer" })).status).toBe(200);
  });

  it("only an admin pushes: the item becomes visible in every workspace (view only), and un-pushing takes it back", async () => {
    const w = await world();
    const [sales, ops, playbook, doc] = [uid("ws"), uid("ws"), uid("pb"), uid("doc")];
    await newWorkspace(w.p, sales, w.manager);
    await newWorkspace(w.p, ops, w.manager);
    await newFolder(playbook, `workspace:${ops}`, w.manager);
    await register(doc, w.manager, { project: w.p, parent: `folder:${playbook}` });
    await share("workspace", sales, `user:${w.guest}`, w.admin, { role: "viewer" });
    await share("workspace", sales, `group:${w.group}`, w.admin, { role: "editor" });
    for (const actor of [w.manager, w.editor]) {
      const refused = await post(`/v1/folders/${playbook}/push`, actor, undefined);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("forbidden");
    }
    expect(await tuples({ resourceType: "folder", resourceId: playbook, relation: "pushed" })).toEqual([]);
    expect(await allowed(`resource:${doc}`, "view", `user:${w.guest}`)).toBe(false);
    const pushed = await post(`/v1/folders/${playbook}/push`, w.admin, undefined);
    expect(pushed.status).toBe(200);
    expect(pushed.body).toMatchObject({ item: `folder:${playbook}`, project: w.p, pushed: true });
    expect(await tuples({ resourceType: "folder", resourceId: playbook, relation: "pushed" })).toEqual([`folder:${playbook}#pushed@project:${w.p}`]);
    for (const user of [w.guest, w.grouped]) {
      expect(await allowed(`folder:${playbook}`, "view", `user:${user}`)).toBe(true);
      expect(await allowed(`resource:${doc}`, "view", `user:${user}`)).toBe(true);
      expect(await allowed(`resource:${doc}`, "edit", `user:${user}`)).toBe(false);
    }
    expect(await allowed(`workspace:${ops}`, "view", `user:${w.guest}`)).toBe(false);
    expect(await allowed(`resource:${doc}`, "view", `user:${w.member}`)).toBe(false);
    // A workspace made later sees it too; the workspace view lists what is pushed.
    const later = uid("ws");
    await newWorkspace(w.p, later, w.manager);
    await share("workspace", later, `user:${w.member}`, w.admin, { role: "viewer" });
    expect(await allowed(`resource:${doc}`, "view", `user:${w.member}`)).toBe(true);
    const shown = await server.call("GET", `/v1/workspaces/${sales}`, as(w.guest));
    expect(shown.body.pushedContent).toEqual([{ ref: `folder:${playbook}` }]);
    // A resource can be pushed too; un-pushing takes it back (404 when not pushed).
    expect((await post(`/v1/resources/${doc}/push`, w.owner, undefined)).status).toBe(200);
    expect((await server.call("DELETE", `/v1/folders/${playbook}/push`, as(w.manager))).status).toBe(403);
    expect((await server.call("DELETE", `/v1/folders/${playbook}/push`, as(w.admin))).body).toMatchObject({ pushed: false });
    expect(await allowed(`folder:${playbook}`, "view", `user:${w.guest}`)).toBe(false);
    expect(await allowed(`resource:${doc}`, "view", `user:${w.guest}`)).toBe(true);
    expect((await server.call("DELETE", `/v1/resources/${doc}/push`, as(w.admin))).status).toBe(200);
    expect(await allowed(`resource:${doc}`, "view", `user:${w.guest}`)).toBe(false);
    expect((await server.call("DELETE", `/v1/resources/${doc}/push`, as(w.admin))).status).toBe(404);
  });
});

describe("rule 12: moves", () => {
  it("moves a folder and its access follows; a cycle, another project or too deep is 422 invalid_parent with nothing written", async () => {
    const w = await world();
    const t = await tree(w);
    const [other, ws2, archive] = [uid("p"), uid("ws"), uid("f")];
    await newWorkspace(w.p, ws2, w.manager);
    await newFolder(archive, `workspace:${ws2}`, w.manager);
    await share("workspace", ws2, `user:${w.guest}`, w.admin, { role: "viewer" });
    expect(await allowed(`resource:${t.r}`, "view", `user:${w.guest}`)).toBe(false);
    const before = await everything([`folder:${t.f1}`, `folder:${t.f2}`, `folder:${t.f3}`]);

    for (const target of [`folder:${t.f1}`, `folder:${t.f3}`]) {
      const cycle = await move(t.f1, w.manager, { parent: target });
      expect(cycle.status, target).toBe(422);
      expect(cycle.body.code).toBe("invalid_parent");
    }
    await post("/v1/projects", w.owner, { id: other, owner: `organization:${w.org}` });
    const elsewhere = uid("ws");
    await newWorkspace(other, elsewhere, w.owner);
    const crossing = await move(t.f2, w.owner, { parent: `workspace:${elsewhere}` });
    expect(crossing.status).toBe(422);
    expect(crossing.body.code).toBe("invalid_parent");
    const crossingResource = await register(t.r, w.owner, { project: w.p, parent: `workspace:${elsewhere}` });
    expect(crossingResource.status).toBe(422);
    expect(crossingResource.body.code).toBe("invalid_parent");
    // A guest or a viewer may not move; an editor may not move into a workspace (create_folder there is manager+).
    expect((await move(t.f2, w.viewer, { parent: `folder:${archive}` })).status).toBe(403);
    expect((await move(t.f2, w.editor, { parent: `workspace:${ws2}` })).status).toBe(403);
    expect(await everything([`folder:${t.f1}`, `folder:${t.f2}`, `folder:${t.f3}`])).toEqual(before);

    const moved = await move(t.f2, w.editor, { parent: `folder:${archive}`, name: "Q2" });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: t.f2, parent: `folder:${archive}`, name: "Q2" });
    expect(await tuples({ resourceType: "folder", resourceId: t.f2, relation: "parent" })).toEqual([`folder:${t.f2}#parent@folder:${archive}`]);
    expect(await allowed(`resource:${t.r}`, "view", `user:${w.guest}`)).toBe(true);
    const shown = await server.call("GET", `/v1/folders/${t.f3}`, as(w.guest));
    expect(shown.body).toMatchObject({ id: t.f3, type: "folder", project: w.p, parent: `folder:${t.f2}`, path: [`workspace:${ws2}`, `folder:${archive}`, `folder:${t.f2}`] });
    expect(shown.body.children).toEqual([{ ref: `resource:${t.r}` }]);
    // A resource moves too (edit on it); null takes it back to the project's root.
    expect((await register(t.r, w.editor, { project: w.p, parent: `folder:${t.f1}` })).status).toBe(200);
    expect(await allowed(`resource:${t.r}`, "view", `user:${w.guest}`)).toBe(false);
    expect((await register(t.r, w.editor, { project: w.p, parent: null })).body).not.toHaveProperty("parent");
    expect(await tuples({ resourceType: "resource", resourceId: t.r, relation: "parent" })).toEqual([]);
  });

  it("24 folder levels below a workspace are supported; a 25th, or a move that would make one, is 422", async () => {
    const w = await world();
    const ws = uid("ws");
    await newWorkspace(w.p, ws, w.manager);
    let parent = `workspace:${ws}`;
    const chain: string[] = [];
    for (let level = 1; level <= 24; level++) {
      const id = uid(`l${level}_`);
      expect((await newFolder(id, parent, w.manager)).status, `level ${level}`).toBe(201);
      chain.push(id);
      parent = `folder:${id}`;
    }
    await share("workspace", ws, `user:${w.guest}`, w.admin, { role: "viewer" });
    expect(await allowed(`folder:${chain[23]}`, "view", `user:${w.guest}`)).toBe(true);
    const deep = uid("l25_");
    const refused = await newFolder(deep, parent, w.manager);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("invalid_parent");
    expect(await everything([`folder:${deep}`])).toEqual([]);
    // A folder with two levels below it fits under level 21, not under level 22 (22 + 1 + 2 > 24).
    const [a, b, c] = [uid("a"), uid("b"), uid("c")];
    await newFolder(a, `workspace:${ws}`, w.manager);
    await newFolder(b, `folder:${a}`, w.manager);
    await newFolder(c, `folder:${b}`, w.manager);
    const tooDeep = await move(a, w.manager, { parent: `folder:${chain[21]}` });
    expect(tooDeep.status).toBe(422);
    expect(tooDeep.body.code).toBe("invalid_parent");
    expect(await tuples({ resourceType: "folder", resourceId: a, relation: "parent" })).toEqual([`folder:${a}#parent@workspace:${ws}`]);
    expect((await move(a, w.manager, { parent: `folder:${chain[20]}` })).status).toBe(200);
    expect(await allowed(`folder:${c}`, "view", `user:${w.guest}`)).toBe(true);
  });
});

describe("rule 12: deletes leave no relationship behind", () => {
  it("deleting a folder deletes what is below it and every relationship naming any of it; a workspace likewise; editors may not", async () => {
    const w = await world();
    const t = await tree(w);
    const keep = uid("r");
    await register(keep, w.manager, { project: w.p, parent: `folder:${t.f1}` });
    await share("folder", t.f2, `group:${w.group}`, w.admin, { role: "viewer" });
    await share("folder", t.f3, `user:${w.guest}`, w.admin, { role: "editor", expiresAt: "2099-01-01T00:00:00Z" });
    await share("resource", t.r, `user:${w.member}`, w.admin, { role: "viewer" });
    await post(`/v1/folders/${t.f3}/push`, w.admin, undefined);
    const doomed = [`folder:${t.f2}`, `folder:${t.f3}`, `resource:${t.r}`];
    expect((await everything(doomed)).length).toBeGreaterThan(8);

    const refused = await server.call("DELETE", `/v1/folders/${t.f2}`, as(w.editor));
    expect(refused.status).toBe(403);
    expect((await everything(doomed)).length).toBeGreaterThan(8);
    const deleted = await server.call("DELETE", `/v1/folders/${t.f2}`, as(w.manager));
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: t.f2, project: w.p, folders: 1, resources: 1 });
    expect(await everything(doomed)).toEqual([]);
    expect(await allowed(`resource:${t.r}`, "view", `user:${w.member}`)).toBe(false);
    expect((await server.call("GET", `/v1/folders/${t.f2}`, as(w.manager))).status).toBe(404);
    expect(await tuples({ resourceType: "resource", resourceId: keep })).toEqual([`resource:${keep}#parent@folder:${t.f1}`, `resource:${keep}#project@project:${w.p}`]);

    const gone = await server.call("DELETE", `/v1/workspaces/${t.ws}`, as(w.manager));
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ folders: 1, resources: 1 });
    expect(await everything([`workspace:${t.ws}`, `folder:${t.f1}`, `resource:${keep}`])).toEqual([]);
  });

  it("deleting the project, or a group, removes every workspace, folder and grant of theirs", async () => {
    const w = await world();
    const t = await tree(w);
    await share("workspace", t.ws, `group:${w.group}`, w.admin, { role: "viewer" });
    await share("folder", t.f1, `group:${w.group}`, w.admin, { role: "editor" });
    expect((await server.call("DELETE", `/v1/groups/${w.group}`, as(w.owner))).status).toBe(200);
    expect(await tuples({ resourceType: "workspace", subjectType: "group", subjectId: w.group })).toEqual([]);
    expect(await tuples({ resourceType: "folder", subjectType: "group", subjectId: w.group })).toEqual([]);

    await share("folder", t.f2, `user:${w.guest}`, w.admin, { role: "viewer" });
    expect((await server.call("DELETE", `/v1/projects/${w.p}`, as(w.admin))).status).toBe(200);
    expect(await everything([`project:${w.p}`, `workspace:${t.ws}`, `folder:${t.f1}`, `folder:${t.f2}`, `folder:${t.f3}`, `resource:${t.r}`])).toEqual([]);
  });
});

describe("rule 12: explain and access lists in product terms", () => {
  it("names the folder, the group, the workspace and the push that grant", async () => {
    const w = await world();
    const t = await tree(w);
    const [sales, playbook] = [uid("sales"), uid("playbook")];
    await newWorkspace(w.p, sales, w.manager);
    await newFolder(playbook, `workspace:${t.ws}`, w.manager);
    await share("folder", t.f1, `user:${w.guest}`, w.admin, { role: "viewer" });
    await share("folder", t.f2, `group:${w.group}`, w.admin, { role: "viewer" });
    await share("workspace", sales, `user:${w.member}`, w.admin, { role: "editor" });
    await post(`/v1/folders/${playbook}/push`, w.admin, undefined);
    const explain = async (resource: string, subject: string) =>
      (await server.call("POST", "/v1/explain", { body: { resource, permission: "view", subject: `user:${subject}` } })).body.reasons as string[];
    expect(await explain(`resource:${t.r}`, w.guest)).toEqual([`viewer through folder ${t.f1}`]);
    expect(await explain(`resource:${t.r}`, w.grouped)).toEqual([`viewer through group ${w.group} on folder ${t.f2}`]);
    expect(await explain(`workspace:${sales}`, w.member)).toEqual([`editor of workspace ${sales}`]);
    expect(await explain(`folder:${playbook}`, w.member)).toEqual([`folder ${playbook} pushed to all workspaces (editor of workspace ${sales})`]);

    const access = await server.call("GET", `/v1/folders/${t.f3}/access?permission=view`, as(w.viewer));
    expect(access.status).toBe(200);
    const reasons = Object.fromEntries((access.body.access as Array<{ user: string; via: Array<{ reason: string }> }>).map((e) => [e.user, e.via.map((v) => v.reason)]));
    expect(reasons[`user:${w.guest}`]).toEqual([`viewer through folder ${t.f1}`]);
    expect(reasons[`user:${w.nested}`]).toEqual([`viewer through group ${w.group} on folder ${t.f2}`]);
    expect(reasons[`user:${w.viewer}`]).toEqual([`viewer of project ${w.p}`]);
    expect(reasons[`user:${w.member}`]).toBeUndefined();
    expect((await server.call("GET", `/v1/folders/${t.f3}/access`, as(w.guest))).status).toBe(403);
    const onResource = await server.call("GET", `/v1/resources/${t.r}/access?permission=view`, as(w.viewer));
    const guestEntry = (onResource.body.access as Array<{ user: string; via: Array<{ kind: string }> }>).find((e) => e.user === `user:${w.guest}`);
    expect(guestEntry?.via).toEqual([{ kind: "content_grant", on: "folder", id: t.f1, role: "viewer", inherited: true, reason: `viewer through folder ${t.f1}` }]);
  });

  it("shows a workspace or folder with its grants, the actor's permissions and its children, paged", async () => {
    const w = await world();
    const t = await tree(w);
    const extra = uid("r");
    await register(extra, w.manager, { project: w.p, parent: `folder:${t.f2}` });
    await share("folder", t.f2, `group:${w.group}`, w.admin, { role: "viewer" });
    const first = await server.call("GET", `/v1/folders/${t.f2}?limit=1`, as(w.editor));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id: t.f2,
      type: "folder",
      project: w.p,
      parent: `folder:${t.f1}`,
      path: [`workspace:${t.ws}`, `folder:${t.f1}`],
      pushed: false,
      members: [
        { subject: `group:${w.group}`, role: "viewer" },
        { subject: `user:${w.admin}`, role: "editor" },
      ],
      permissions: { view: true, comment: true, edit: true, create: true, create_folder: true, delete: false, manage_access: false },
      children: [{ ref: `folder:${t.f3}` }],
    });
    const second = await server.call("GET", `/v1/folders/${t.f2}?limit=1&cursor=${enc(first.body.cursor)}`, as(w.editor));
    expect(second.body.children).toEqual([{ ref: `resource:${extra}` }]);
    expect(second.body.cursor).toBeUndefined();
    expect((await server.call("GET", `/v1/folders/${t.f2}`, as(w.guest))).status).toBe(403);
    expect((await server.call("GET", `/v1/workspaces/${uid("none")}`, as(w.owner))).status).toBe(404);
  });
});

describe("rule 12: multi-step writes are atomic", () => {
  /** replicaWith serves the same engine through a store whose named method fails. */
  async function replicaWith(failing: keyof Store) {
    const store = new Proxy(server.store as Store, {
      get(target, property, receiver) {
        if (property === failing) return () => Promise.reject(new StoreError("unavailable", "disk full"));
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const keys = ApiKeyRing.fromConfig([{ name: "manage", key: KEYS.manage, scopes: ["manage"] }]);
    const app = buildApp({ engine: server.engine, store, keys, logger: createLogger("silent") });
    const listener: Server = await new Promise((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    return {
      call: async (method: string, path: string, actor: string, body?: unknown) => {
        const res = await fetch(url + path, {
          method,
          headers: { authorization: `Bearer ${KEYS.manage}`, "x-actor": `user:${actor}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as { code?: string } };
      },
      close: async () => {
        listener.closeAllConnections();
        await new Promise((resolve) => listener.close(resolve));
      },
    };
  }

  it("a workspace or folder whose name cannot be stored is not created (its relationships are undone)", async () => {
    const w = await world();
    const t = await tree(w);
    const replica = await replicaWith("putObject");
    try {
      const [ws, f] = [uid("ws"), uid("f")];
      const failed = await replica.call("POST", `/v1/projects/${w.p}/workspaces`, w.manager, { id: ws, name: "Sales" });
      expect(failed.status).toBe(503);
      expect(failed.body.code).toBe("unavailable");
      expect(await everything([`workspace:${ws}`])).toEqual([]);
      expect((await replica.call("POST", "/v1/folders", w.manager, { id: f, parent: `folder:${t.f1}`, name: "Q" })).status).toBe(503);
      expect(await everything([`folder:${f}`])).toEqual([]);
      // A move with a rename is one unit too: the parent stays.
      expect((await replica.call("PATCH", `/v1/folders/${t.f3}`, w.manager, { parent: `folder:${t.f1}`, name: "Q3" })).status).toBe(503);
      expect(await tuples({ resourceType: "folder", resourceId: t.f3, relation: "parent" })).toEqual([`folder:${t.f3}#parent@folder:${t.f2}`]);
    } finally {
      await replica.close();
    }
  });

  it("a delete whose records cannot be removed deletes nothing", async () => {
    const w = await world();
    const t = await tree(w);
    await share("folder", t.f2, `user:${w.guest}`, w.admin, { role: "viewer" });
    const before = await everything([`workspace:${t.ws}`, `folder:${t.f1}`, `folder:${t.f2}`, `folder:${t.f3}`, `resource:${t.r}`]);
    const replica = await replicaWith("deleteObject");
    try {
      expect((await replica.call("DELETE", `/v1/workspaces/${t.ws}`, w.manager)).status).toBe(503);
    } finally {
      await replica.close();
    }
    expect(await everything([`workspace:${t.ws}`, `folder:${t.f1}`, `folder:${t.f2}`, `folder:${t.f3}`, `resource:${t.r}`])).toEqual(before);
    expect(await allowed(`resource:${t.r}`, "view", `user:${w.guest}`)).toBe(true);
  });
});
