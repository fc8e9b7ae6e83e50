// Pins /v1/resources (docs/api.md): registering, sharing, unsharing and deleting resources,
// the guest rule and the resource permission matrix of §2 (project's plus direct grants).
import { describe, expect, it } from "vitest";
import { useTestServer, uid, } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();

const { as, allowed, raw: write } = productCalls(() => server);
const relationships = async (query: string) =>
  ((await server.call("GET", `/v1/relationships?${query}`)).body.relationships as Array<{ relationship: string; expiresAt?: string }>).map((r) => r.relationship).sort();
const register = (r: string, project: string, actor: string) => server.call("PUT", `/v1/resources/${r}`, { ...as(actor), body: { project } });
const share = (r: string, subject: string, actor: string, body: object) => server.call("PUT", `/v1/resources/${r}/members/${subject}`, { ...as(actor), body });

/** workspace: an organization with an org project, one user per project role, and an org member with none. */
async function workspace() {
  const w = { org: uid("org"), p: uid("p"), admin: uid("adm"), manager: uid("mgr"), editor: uid("edi"), viewer: uid("vie"), guest: uid("gue"), member: uid("mem"), outsider: uid("out") };
  await write(
    `organization:${w.org}#owner@user:${w.admin}`,
    ...[w.manager, w.editor, w.viewer, w.guest, w.member].map((u) => `organization:${w.org}#member@user:${u}`),
  );
  expect((await server.call("POST", "/v1/projects", { ...as(w.admin), body: { id: w.p, owner: `organization:${w.org}` } })).status).toBe(201);
  await write(`project:${w.p}#manager@user:${w.manager}`, `project:${w.p}#editor@user:${w.editor}`, `project:${w.p}#viewer@user:${w.viewer}`, `project:${w.p}#guest@user:${w.guest}`);
  return w;
}

describe("PUT /v1/resources/:resource", () => {
  it("registers a resource for actors who may create in the project (editor yes, viewer 403)", async () => {
    const w = await workspace();
    const [r, s] = [uid("dev"), uid("dev")];
    const denied = await register(r, w.p, w.viewer);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("forbidden");
    expect(await relationships(`resourceType=resource&resourceId=${r}`)).toEqual([]);
    const res = await register(r, w.p, w.editor);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: r, project: w.p });
    expect(typeof res.body.zedToken).toBe("string");
    expect(await relationships(`resourceType=resource&resourceId=${r}`)).toEqual([`resource:${r}#project@project:${w.p}`]);
    expect(await allowed(`resource:${r}`, "view", `user:${w.viewer}`)).toBe(true);
    // Again in the same project: a no-op.
    expect((await register(r, w.p, w.editor)).status).toBe(200);
    // In another project: 409, and it stays where it is.
    const other = uid("p");
    await server.call("POST", "/v1/projects", { ...as(w.admin), body: { id: other, owner: `organization:${w.org}` } });
    const moved = await register(r, other, w.admin);
    expect(moved.status).toBe(409);
    expect(moved.body.code).toBe("already_exists");
    expect(await relationships(`resourceType=resource&resourceId=${r}`)).toEqual([`resource:${r}#project@project:${w.p}`]);
    expect((await register(s, uid("none"), w.admin)).status).toBe(404);
  });
});

describe("PUT/DELETE /v1/resources/:resource/members/:subject", () => {
  it("a guest sees only the resources shared with them directly", async () => {
    const w = await workspace();
    const [r1, r2] = [uid("doc"), uid("doc")];
    await register(r1, w.p, w.editor);
    await register(r2, w.p, w.editor);
    const res = await share(r2, `user:${w.guest}`, w.manager, { role: "viewer" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ resource: r2, subject: `user:${w.guest}`, role: "viewer" });
    expect(await allowed(`project:${w.p}`, "view", `user:${w.guest}`)).toBe(false);
    expect(await allowed(`project:${w.p}`, "access", `user:${w.guest}`)).toBe(true);
    expect(await allowed(`resource:${r1}`, "view", `user:${w.guest}`)).toBe(false);
    expect(await allowed(`resource:${r2}`, "view", `user:${w.guest}`)).toBe(true);
    expect(await allowed(`resource:${r2}`, "edit", `user:${w.guest}`)).toBe(false);
    const seen = await server.call("POST", "/v1/lookup/resources", { key: "check", body: { resourceType: "resource", permission: "view", subject: `user:${w.guest}` } });
    expect(seen.body.resources).toEqual([r2]);
  });

  it("needs resource manage (the project's manage_members): an editor gets 403, nothing written", async () => {
    const w = await workspace();
    const r = uid("doc");
    await register(r, w.p, w.editor);
    const res = await share(r, `user:${w.member}`, w.editor, { role: "viewer" });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("forbidden");
    expect(await relationships(`resourceType=resource&resourceId=${r}&relation=viewer`)).toEqual([]);
  });

  it("one grant per subject: editor replaces viewer in one write; unshare removes it; 404 when nothing is shared", async () => {
    const w = await workspace();
    const r = uid("doc");
    await register(r, w.p, w.editor);
    await share(r, `user:${w.member}`, w.admin, { role: "viewer" });
    await share(r, `user:${w.member}`, w.admin, { role: "editor" });
    expect(await relationships(`resourceType=resource&resourceId=${r}&subjectType=user&subjectId=${w.member}`)).toEqual([`resource:${r}#editor@user:${w.member}`]);
    expect(await allowed(`resource:${r}`, "edit", `user:${w.member}`)).toBe(true);
    const res = await server.call("DELETE", `/v1/resources/${r}/members/user:${w.member}`, as(w.manager));
    expect(res.status).toBe(200);
    expect(res.body.removed).toEqual(["editor"]);
    expect(await allowed(`resource:${r}`, "view", `user:${w.member}`)).toBe(false);
    expect((await server.call("DELETE", `/v1/resources/${r}/members/user:${w.member}`, as(w.manager))).status).toBe(404);
  });

  it("rules 4 and 5 apply: org members and the org's groups only; a personal project takes users only", async () => {
    const w = await workspace();
    const [r, g, pr, pat] = [uid("doc"), uid("g"), uid("pp"), uid("pat")];
    await register(r, w.p, w.editor);
    await write(`group:${g}#organization@organization:${w.org}`, `group:${g}#direct_member@user:${w.member}`);
    const outsider = await share(r, `user:${w.outsider}`, w.admin, { role: "viewer" });
    expect(outsider.status).toBe(422);
    expect(outsider.body.code).toBe("not_org_member");
    expect((await share(r, `group:${g}`, w.admin, { role: "viewer" })).status).toBe(200);
    expect(await allowed(`resource:${r}`, "view", `user:${w.member}`)).toBe(true);
    expect(await relationships(`resourceType=resource&resourceId=${r}&relation=viewer`)).toEqual([`resource:${r}#viewer@group:${g}#member`]);

    // Rule 17: a personal project takes direct shares only when its owner is on the scale plan.
    await server.call("PUT", `/v1/users/${pat}/plan`, { body: { plan: "scale" } });
    await server.call("POST", "/v1/projects", { ...as(pat), body: { id: pr, owner: `user:${pat}` } });
    const d = uid("doc");
    expect((await register(d, pr, pat)).status).toBe(201);
    expect((await share(d, `user:${w.outsider}`, pat, { role: "editor" })).status).toBe(200);
    const group = await share(d, `group:${g}`, pat, { role: "viewer" });
    expect(group.status).toBe(422);
    expect(group.body.code).toBe("groups_not_allowed");
    expect(await relationships(`resourceType=resource&resourceId=${d}&subjectType=group`)).toEqual([]);
  });

  it("rejects roles other than viewer/editor (422 invalid_role), unknown resources (404), bad subjects (400)", async () => {
    const w = await workspace();
    const r = uid("doc");
    await register(r, w.p, w.editor);
    const admin = await share(r, `user:${w.member}`, w.admin, { role: "admin" });
    expect(admin.status).toBe(422);
    expect(admin.body.code).toBe("invalid_role");
    expect((await share(uid("none"), `user:${w.member}`, w.admin, { role: "viewer" })).status).toBe(404);
    expect((await share(r, "robot:x", w.admin, { role: "viewer" })).body).toMatchObject({ code: "invalid_request", field: "path.subject" });
    expect(await relationships(`resourceType=resource&resourceId=${r}&subjectType=user`)).toEqual([]);
  });

  it("a share can expire", async () => {
    const w = await workspace();
    const r = uid("doc");
    await register(r, w.p, w.editor);
    const expiresAt = new Date(Date.now() + 2000).toISOString();
    const res = await share(r, `user:${w.guest}`, w.admin, { role: "viewer", expiresAt });
    expect(res.body.expiresAt).toBe(expiresAt);
    const raw = await server.call("GET", `/v1/relationships?resourceType=resource&resourceId=${r}&relation=viewer`);
    expect(raw.body.relationships[0].expiresAt).toBe(expiresAt);
    expect(await allowed(`resource:${r}`, "view", `user:${w.guest}`)).toBe(true);
    const deadline = Date.now() + 10_000;
    let still = true;
    while (still && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      still = await allowed(`resource:${r}`, "view", `user:${w.guest}`);
    }
    expect(still).toBe(false);
  });
});

describe("resource permission matrix (docs/rules.md)", () => {
  // A resource's view/edit/delete follow its project's, plus direct grants on the resource.
  const PERMISSIONS = ["view", "comment", "edit", "delete", "manage"] as const;
  const EXPECTED: Record<string, string> = {
    // view comment edit delete manage
    admin: "+++++",
    manager: "+++++",
    editor: "+++--",
    viewer: "+----",
    guest: "-----",
    member: "-----",
    grantViewer: "+----",
    grantEditor: "+++--",
    guestWithEditor: "+++--",
  };

  it("each project role and each direct grant gives exactly its row", async () => {
    const w = await workspace();
    const r = uid("doc");
    await register(r, w.p, w.editor);
    const [gv, ge] = [uid("gv"), uid("ge")];
    await write(`organization:${w.org}#member@user:${gv}`, `organization:${w.org}#member@user:${ge}`);
    expect((await share(r, `user:${gv}`, w.manager, { role: "viewer" })).status).toBe(200);
    expect((await share(r, `user:${ge}`, w.manager, { role: "editor" })).status).toBe(200);
    const guest2 = uid("g2");
    await write(`organization:${w.org}#member@user:${guest2}`, `project:${w.p}#guest@user:${guest2}`);
    expect((await share(r, `user:${guest2}`, w.manager, { role: "editor" })).status).toBe(200);
    const users: Record<string, string> = {
      admin: w.admin,
      manager: w.manager,
      editor: w.editor,
      viewer: w.viewer,
      guest: w.guest,
      member: w.member,
      grantViewer: gv,
      grantEditor: ge,
      guestWithEditor: guest2,
    };
    const items = Object.values(users).flatMap((u) => PERMISSIONS.map((permission) => ({ resource: `resource:${r}`, permission, subject: `user:${u}` })));
    const bulk = await server.call("POST", "/v1/check/bulk", { key: "check", body: { items } });
    expect(bulk.status).toBe(200);
    const got: Record<string, string> = {};
    Object.keys(users).forEach((name, i) => {
      got[name] = PERMISSIONS.map((_, j) => (bulk.body.results[i * PERMISSIONS.length + j].allowed ? "+" : "-")).join("");
    });
    expect(got).toEqual(EXPECTED);
  });
});

describe("DELETE /v1/resources/:resource", () => {
  it("needs the project's delete (editor 403), then removes every relationship naming the resource", async () => {
    const w = await workspace();
    const [r, keep] = [uid("doc"), uid("doc")];
    await register(r, w.p, w.editor);
    await register(keep, w.p, w.editor);
    await share(r, `user:${w.guest}`, w.admin, { role: "editor" });
    await share(keep, `user:${w.guest}`, w.admin, { role: "viewer" });
    const denied = await server.call("DELETE", `/v1/resources/${r}`, as(w.editor));
    expect(denied.status).toBe(403);
    expect(await relationships(`resourceType=resource&resourceId=${r}`)).toHaveLength(2);
    const res = await server.call("DELETE", `/v1/resources/${r}`, as(w.manager));
    expect(res.status).toBe(200);
    expect(typeof res.body.zedToken).toBe("string");
    expect(await relationships(`resourceType=resource&resourceId=${r}`)).toEqual([]);
    expect(await relationships(`resourceType=resource&resourceId=${keep}`)).toHaveLength(2);
    expect(await allowed(`resource:${r}`, "view", `user:${w.guest}`)).toBe(false);
    expect((await server.call("DELETE", `/v1/resources/${r}`, as(w.manager))).status).toBe(404);
  });
});
