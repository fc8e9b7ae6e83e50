// Pins project members and roles (docs/api.md /v1/projects/:p/members) and rules 1, 3, 4, 5, 7 of §2:
// the Alludium and Qubitro seeds, the built-in role matrix, custom roles, expiring grants.
import { describe, expect, it } from "vitest";
import { useTestServer, uid, } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();

const { as, allowed, raw: write } = productCalls(() => server);
const relationships = async (query: string) =>
  ((await server.call("GET", `/v1/relationships?${query}`)).body.relationships as Array<{ relationship: string }>).map((r) => r.relationship).sort();
const put = (p: string, subject: string, actor: string, body: object) => server.call("PUT", `/v1/projects/${p}/members/${encodeURIComponent(subject)}`, { ...as(actor), body });
const remove = (p: string, subject: string, actor: string) => server.call("DELETE", `/v1/projects/${p}/members/${encodeURIComponent(subject)}`, as(actor));

/** workspace makes an organization (raw writes) with an org project created through the API by `admin`. */
async function workspace() {
  const w = { org: uid("org"), p: uid("p"), owner: uid("own"), admin: uid("adm"), manager: uid("mgr"), alice: uid("ali"), bob: uid("bob"), outsider: uid("out") };
  await write(
    `organization:${w.org}#owner@user:${w.owner}`,
    `organization:${w.org}#member@user:${w.admin}`,
    `organization:${w.org}#projects_full@user:${w.admin}`,
    `organization:${w.org}#member@user:${w.manager}`,
    `organization:${w.org}#member@user:${w.alice}`,
    `organization:${w.org}#member@user:${w.bob}`,
  );
  const created = await server.call("POST", "/v1/projects", { ...as(w.admin), body: { id: w.p, owner: `organization:${w.org}` } });
  expect(created.status).toBe(201);
  expect((await put(w.p, `user:${w.manager}`, w.admin, { role: "manager" })).status).toBe(200);
  return w;
}

describe("Alludium seed: members and roles", () => {
  it("the creator is admin; a manager adds, changes and removes viewers, editors and managers", async () => {
    const w = await workspace();
    expect(await relationships(`resourceType=project&resourceId=${w.p}&relation=admin`)).toEqual([`project:${w.p}#admin@user:${w.admin}`]);
    const added = await put(w.p, `user:${w.alice}`, w.manager, { role: "viewer" });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ subject: `user:${w.alice}`, role: "viewer" });
    expect(typeof added.body.zedToken).toBe("string");
    expect(await allowed(`project:${w.p}`, "view", `user:${w.alice}`)).toBe(true);
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.alice}`)).toBe(false);

    expect((await put(w.p, `user:${w.alice}`, w.manager, { role: "editor" })).status).toBe(200);
    expect(await relationships(`resourceType=project&resourceId=${w.p}&subjectType=user&subjectId=${w.alice}`)).toEqual([`project:${w.p}#editor@user:${w.alice}`]);
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.alice}`)).toBe(true);

    expect((await put(w.p, `user:${w.alice}`, w.manager, { role: "manager" })).status).toBe(200);
    expect(await relationships(`resourceType=project&resourceId=${w.p}&subjectType=user&subjectId=${w.alice}`)).toEqual([`project:${w.p}#manager@user:${w.alice}`]);

    const removed = await remove(w.p, `user:${w.alice}`, w.manager);
    expect(removed.status).toBe(200);
    expect(removed.body.removed).toEqual(["manager"]);
    expect(await relationships(`resourceType=project&resourceId=${w.p}&subjectType=user&subjectId=${w.alice}`)).toEqual([]);
    expect(await allowed(`project:${w.p}`, "view", `user:${w.alice}`)).toBe(false);
  });

  it("rule 3: a manager cannot grant admin, change an admin or remove one (403, nothing written)", async () => {
    const w = await workspace();
    const before = await relationships(`resourceType=project&resourceId=${w.p}`);

    const grant = await put(w.p, `user:${w.alice}`, w.manager, { role: "admin" });
    expect(grant.status).toBe(403);
    expect(grant.body.code).toBe("forbidden");
    expect(grant.body.detail).toMatch(/a manager cannot grant, change or remove an admin/);

    const demote = await put(w.p, `user:${w.admin}`, w.manager, { role: "viewer" });
    expect(demote.status).toBe(403);
    expect(demote.body.code).toBe("forbidden");

    const removal = await remove(w.p, `user:${w.admin}`, w.manager);
    expect(removal.status).toBe(403);
    expect(removal.body.code).toBe("forbidden");

    expect(await relationships(`resourceType=project&resourceId=${w.p}`)).toEqual(before);
    expect(await allowed(`project:${w.p}`, "manage_admins", `user:${w.alice}`)).toBe(false);
    expect(await allowed(`project:${w.p}`, "manage_admins", `user:${w.admin}`)).toBe(true);

    // An admin (and the org owner, rule 2) may do all three.
    expect((await put(w.p, `user:${w.alice}`, w.admin, { role: "admin" })).status).toBe(200);
    expect((await put(w.p, `user:${w.alice}`, w.owner, { role: "editor" })).status).toBe(200);
    expect((await put(w.p, `user:${w.bob}`, w.owner, { role: "admin" })).status).toBe(200);
    expect((await remove(w.p, `user:${w.bob}`, w.admin)).status).toBe(200);
    expect(await allowed(`project:${w.p}`, "view", `user:${w.bob}`)).toBe(false);
  });

  it("rule 4: a user must already be a member of the organization (422 not_org_member, nothing written)", async () => {
    const w = await workspace();
    const res = await put(w.p, `user:${w.outsider}`, w.admin, { role: "viewer" });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("not_org_member");
    expect(await relationships(`resourceType=project&resourceId=${w.p}&subjectType=user&subjectId=${w.outsider}`)).toEqual([]);
  });

  it("needs manage_members: a viewer or an editor gets 403 and nothing is written", async () => {
    const w = await workspace();
    await put(w.p, `user:${w.alice}`, w.admin, { role: "editor" });
    const res = await put(w.p, `user:${w.bob}`, w.alice, { role: "viewer" });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("forbidden");
    expect(await allowed(`project:${w.p}`, "view", `user:${w.bob}`)).toBe(false);
    expect((await remove(w.p, `user:${w.manager}`, w.alice)).status).toBe(403);
    expect(await allowed(`project:${w.p}`, "manage_members", `user:${w.manager}`)).toBe(true);
  });
});

describe("Qubitro seed: groups and custom roles only in organizations", () => {
  async function personal() {
    const [pat, friend, p] = [uid("pat"), uid("fr"), uid("pp")];
    // Rule 17: a personal project takes direct grants only when its owner is on the scale plan.
    expect((await server.call("PUT", `/v1/users/${pat}/plan`, { body: { plan: "scale" } })).status).toBe(200);
    expect((await server.call("POST", "/v1/projects", { ...as(pat), body: { id: p, owner: `user:${pat}` } })).status).toBe(201);
    return { pat, friend, p };
  }

  it("a personal project takes any user, but no group (422 groups_not_allowed) and no custom role (422 invalid_role)", async () => {
    const { pat, friend, p } = await personal();
    const g = uid("g");
    const org = uid("org");
    await write(`group:${g}#organization@organization:${org}`, `role:r1#organization@organization:${org}`);
    expect((await put(p, `user:${friend}`, pat, { role: "viewer" })).status).toBe(200);
    const group = await put(p, `group:${g}`, pat, { role: "viewer" });
    expect(group.status).toBe(422);
    expect(group.body.code).toBe("groups_not_allowed");
    const custom = await put(p, `user:${friend}`, pat, { role: "role:r1" });
    expect(custom.status).toBe(422);
    expect(custom.body.code).toBe("invalid_role");
    expect(await relationships(`resourceType=project&resourceId=${p}&subjectType=group`)).toEqual([]);
    expect(await relationships(`resourceType=project&resourceId=${p}&subjectType=user&subjectId=${friend}`)).toEqual([`project:${p}#viewer@user:${friend}`]);
  });

  it("rule 1: the owner of a personal project can be neither demoted nor removed (403)", async () => {
    const { pat, friend, p } = await personal();
    await put(p, `user:${friend}`, pat, { role: "admin" });
    const demote = await put(p, `user:${pat}`, friend, { role: "viewer" });
    expect(demote.status).toBe(403);
    expect(demote.body.code).toBe("forbidden");
    const removal = await remove(p, `user:${pat}`, friend);
    expect(removal.status).toBe(403);
    expect(await allowed(`project:${p}`, "delete_project", `user:${pat}`)).toBe(true);
    expect(await relationships(`resourceType=project&resourceId=${p}&subjectType=user&subjectId=${pat}`)).toEqual([`project:${p}#admin@user:${pat}`, `project:${p}#owner_user@user:${pat}`].sort());
  });

  it("a group of the organization gets a role; its members hold it only while org members (rule 5)", async () => {
    const w = await workspace();
    const g = uid("g");
    await write(`group:${g}#organization@organization:${w.org}`, `group:${g}#direct_member@user:${w.alice}`, `group:${g}#direct_member@user:${w.outsider}`);
    const res = await put(w.p, `group:${g}`, w.manager, { role: "editor" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ subject: `group:${g}`, role: "editor" });
    expect(await relationships(`resourceType=project&resourceId=${w.p}&subjectType=group`)).toEqual([`project:${w.p}#editor@group:${g}#member`]);
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.alice}`)).toBe(true);
    expect(await allowed(`project:${w.p}`, "view", `user:${w.outsider}`)).toBe(false);
  });

  it("a group or custom role of another organization, an unknown group, an unknown role: 422/404, nothing written", async () => {
    const w = await workspace();
    const [g, other, r] = [uid("g"), uid("org"), uid("r")];
    await write(`group:${g}#organization@organization:${other}`, `role:${r}#organization@organization:${other}`, `role:${r}#perm_view@user:*`);
    const foreignGroup = await put(w.p, `group:${g}`, w.admin, { role: "viewer" });
    expect(foreignGroup.status).toBe(422);
    expect(foreignGroup.body.code).toBe("not_org_member");
    const foreignRole = await put(w.p, `user:${w.alice}`, w.admin, { role: `role:${r}` });
    expect(foreignRole.status).toBe(422);
    expect(foreignRole.body.code).toBe("invalid_role");
    const unknownRole = await put(w.p, `user:${w.alice}`, w.admin, { role: `role:${uid("none")}` });
    expect(unknownRole.status).toBe(422);
    expect(unknownRole.body.code).toBe("invalid_role");
    const builtin = await put(w.p, `user:${w.alice}`, w.admin, { role: "owner" });
    expect(builtin.status).toBe(422);
    expect(builtin.body.code).toBe("invalid_role");
    expect((await put(w.p, `group:${uid("nog")}`, w.admin, { role: "viewer" })).status).toBe(404);
    expect(await relationships(`resourceType=project&resourceId=${w.p}&relation=binding`)).toEqual([]);
    expect(await relationships(`resourceType=project&resourceId=${w.p}&subjectType=user&subjectId=${w.alice}`)).toEqual([]);
  });

  it("read-only / read-write / admin are viewer / editor / admin", async () => {
    const w = await workspace();
    const [ro, rw, ad] = [w.alice, w.bob, uid("ad")];
    await write(`organization:${w.org}#member@user:${ad}`);
    await put(w.p, `user:${ro}`, w.admin, { role: "viewer" });
    await put(w.p, `user:${rw}`, w.admin, { role: "editor" });
    await put(w.p, `user:${ad}`, w.admin, { role: "admin" });
    const expected: Record<string, [boolean, boolean, boolean, boolean, boolean]> = {
      // view, edit (modify), create, delete, access management (manage_members)
      [ro]: [true, false, false, false, false],
      [rw]: [true, true, true, false, false],
      [ad]: [true, true, true, true, true],
    };
    for (const [user, row] of Object.entries(expected)) {
      const got = await Promise.all(["view", "edit", "create", "delete", "manage_members"].map((perm) => allowed(`project:${w.p}`, perm, `user:${user}`)));
      expect(got).toEqual(row);
    }
  });

  it("rule 7: a custom role held through a group grants exactly its permissions, and changes at once", async () => {
    const w = await workspace();
    const [g, r] = [uid("g"), uid("aud")];
    await write(
      `group:${g}#organization@organization:${w.org}`,
      `group:${g}#direct_member@user:${w.alice}`,
      `role:${r}#organization@organization:${w.org}`,
      `role:${r}#perm_view@user:*`,
      `role:${r}#perm_comment@user:*`,
    );
    const res = await put(w.p, `group:${g}`, w.manager, { role: `role:${r}` });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe(`role:${r}`);
    expect(await relationships(`resourceType=role_binding&resourceId=${w.p}|${r}`)).toEqual(
      [`role_binding:${w.p}|${r}#holder@group:${g}#member`, `role_binding:${w.p}|${r}#role@role:${r}`].sort(),
    );
    expect(await relationships(`resourceType=project&resourceId=${w.p}&relation=binding`)).toEqual([`project:${w.p}#binding@role_binding:${w.p}|${r}`]);
    expect(await allowed(`project:${w.p}`, "view", `user:${w.alice}`)).toBe(true);
    expect(await allowed(`project:${w.p}`, "comment", `user:${w.alice}`)).toBe(true);
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.alice}`)).toBe(false);
    await write(`role:${r}#perm_edit@user:*`);
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.alice}`)).toBe(true);
  });

  it("one role per subject: changing between built-in and custom roles removes the old one in the same write", async () => {
    const w = await workspace();
    const [r1, r2] = [uid("r"), uid("r")];
    await write(`role:${r1}#organization@organization:${w.org}`, `role:${r2}#organization@organization:${w.org}`, `role:${r2}#perm_edit@user:*`);
    const userRels = () => relationships(`resourceType=project&resourceId=${w.p}&subjectType=user&subjectId=${w.alice}`);
    const holders = async () => [
      ...(await relationships(`resourceType=role_binding&resourceId=${w.p}|${r1}&relation=holder`)),
      ...(await relationships(`resourceType=role_binding&resourceId=${w.p}|${r2}&relation=holder`)),
    ];
    await put(w.p, `user:${w.alice}`, w.admin, { role: "viewer" });
    await put(w.p, `user:${w.alice}`, w.admin, { role: `role:${r1}` });
    expect(await userRels()).toEqual([]);
    expect(await holders()).toEqual([`role_binding:${w.p}|${r1}#holder@user:${w.alice}`]);
    await put(w.p, `user:${w.alice}`, w.admin, { role: `role:${r2}` });
    expect(await holders()).toEqual([`role_binding:${w.p}|${r2}#holder@user:${w.alice}`]);
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.alice}`)).toBe(true);
    await put(w.p, `user:${w.alice}`, w.admin, { role: "guest" });
    expect(await holders()).toEqual([]);
    expect(await userRels()).toEqual([`project:${w.p}#guest@user:${w.alice}`]);
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.alice}`)).toBe(false);
    // DELETE removes a custom holding too.
    await put(w.p, `user:${w.alice}`, w.admin, { role: `role:${r2}` });
    const removed = await remove(w.p, `user:${w.alice}`, w.admin);
    expect(removed.body.removed).toEqual([`role:${r2}`]);
    expect(await holders()).toEqual([]);
    expect((await remove(w.p, `user:${w.alice}`, w.admin)).status).toBe(404);
  });
});

describe("docs/rules.md built-in role matrix", () => {
  const PERMISSIONS = ["view", "view_members", "comment", "create", "edit", "delete", "manage_members", "manage_settings", "manage_admins", "delete_project"];
  // Straight from the table: guest, viewer, editor, manager, admin.
  const MATRIX: Record<string, string> = {
    view: "-++++",
    view_members: "-++++",
    comment: "--+++",
    create: "--+++",
    edit: "--+++",
    delete: "---++",
    manage_members: "---++",
    manage_settings: "---++",
    manage_admins: "----+",
    delete_project: "----+",
  };
  const ROLES = ["guest", "viewer", "editor", "manager", "admin"];

  it.each(ROLES.map((role, i) => [role, i] as const))("%s holds exactly its column", async (role, column) => {
    const w = await workspace();
    const user = uid(role);
    await write(`organization:${w.org}#member@user:${user}`);
    expect((await put(w.p, `user:${user}`, w.admin, { role })).status).toBe(200);
    const expected = Object.fromEntries(PERMISSIONS.map((perm) => [perm, MATRIX[perm]![column] === "+"]));
    // The engine, asked one permission at a time…
    const bulk = await server.call("POST", "/v1/check/bulk", {
      key: "check",
      body: { items: PERMISSIONS.map((permission) => ({ resource: `project:${w.p}`, permission, subject: `user:${user}` })) },
    });
    expect(Object.fromEntries(PERMISSIONS.map((perm, i) => [perm, bulk.body.results[i].allowed]))).toEqual(expected);
    // …and "what can this subject do here" in one call.
    const mine = await server.call("GET", `/v1/projects/${w.p}/permissions/user:${user}`, as(user));
    expect(mine.status).toBe(200);
    expect(mine.body.permissions).toEqual(expected);
  });
});

describe("GET /v1/projects/:project/members", () => {
  it("lists users and groups with built-in and custom roles, paged, to view_members holders only", async () => {
    const w = await workspace();
    const [g, r] = [uid("g"), uid("r")];
    await write(`group:${g}#organization@organization:${w.org}`, `role:${r}#organization@organization:${w.org}`);
    await put(w.p, `user:${w.alice}`, w.admin, { role: "viewer" });
    await put(w.p, `user:${w.bob}`, w.admin, { role: `role:${r}` });
    await put(w.p, `group:${g}`, w.admin, { role: "editor" });
    const expected = [
      { subject: `group:${g}`, role: "editor" },
      { subject: `user:${w.admin}`, role: "admin" },
      { subject: `user:${w.alice}`, role: "viewer" },
      { subject: `user:${w.bob}`, role: `role:${r}` },
      { subject: `user:${w.manager}`, role: "manager" },
    ];
    const all = await server.call("GET", `/v1/projects/${w.p}/members`, as(w.alice));
    expect(all.status).toBe(200);
    expect(all.body.cursor).toBeUndefined();
    expect([...all.body.members].sort((a, b) => a.subject.localeCompare(b.subject))).toEqual([...expected].sort((a, b) => a.subject.localeCompare(b.subject)));

    const pages: unknown[] = [];
    let cursor: string | undefined;
    let calls = 0;
    do {
      const res = await server.call("GET", `/v1/projects/${w.p}/members?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, as(w.alice));
      expect(res.status).toBe(200);
      expect(res.body.members.length).toBeLessThanOrEqual(2);
      pages.push(...res.body.members);
      cursor = res.body.cursor;
      calls += 1;
    } while (cursor && calls < 10);
    expect(calls).toBe(3);
    expect(pages).toEqual(all.body.members);

    expect((await server.call("GET", `/v1/projects/${w.p}/members`, as(w.outsider))).status).toBe(403);
    expect((await server.call("GET", `/v1/projects/${w.p}/members?cursor=nonsense`, as(w.alice))).body).toMatchObject({ code: "invalid_request", field: "query.cursor" });
    expect((await server.call("GET", `/v1/projects/${uid("none")}/members`, as(w.alice))).status).toBe(404);
  });
});

describe("expiresAt", () => {
  it("a grant ends by itself; the listing shows when", async () => {
    const w = await workspace();
    const expiresAt = new Date(Date.now() + 2000).toISOString();
    const res = await put(w.p, `user:${w.alice}`, w.admin, { role: "editor", expiresAt });
    expect(res.status).toBe(200);
    expect(res.body.expiresAt).toBe(expiresAt);
    expect(await allowed(`project:${w.p}`, "edit", `user:${w.alice}`)).toBe(true);
    const listed = await server.call("GET", `/v1/projects/${w.p}/members`, as(w.admin));
    expect(listed.body.members).toContainEqual({ subject: `user:${w.alice}`, role: "editor", expiresAt });
    const deadline = Date.now() + 10_000;
    let still = true;
    while (still && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      still = await allowed(`project:${w.p}`, "edit", `user:${w.alice}`);
    }
    expect(still).toBe(false);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    const after = await server.call("GET", `/v1/projects/${w.p}/members`, as(w.admin));
    expect(after.body.members.map((m: { subject: string }) => m.subject)).not.toContain(`user:${w.alice}`);
  });

  it("rejects a time in the past or not RFC 3339 (400 naming expiresAt)", async () => {
    const w = await workspace();
    for (const expiresAt of [new Date(Date.now() - 1000).toISOString(), "tomorrow"]) {
      const res = await put(w.p, `user:${w.alice}`, w.admin, { role: "viewer", expiresAt });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "invalid_request", field: "expiresAt" });
    }
    expect(await allowed(`project:${w.p}`, "view", `user:${w.alice}`)).toBe(false);
  });

  it("a custom role can be held until a time too", async () => {
    const w = await workspace();
    const r = uid("r");
    await write(`role:${r}#organization@organization:${w.org}`, `role:${r}#perm_view@user:*`);
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    expect((await put(w.p, `user:${w.bob}`, w.admin, { role: `role:${r}`, expiresAt })).status).toBe(200);
    const listed = await server.call("GET", `/v1/projects/${w.p}/members`, as(w.admin));
    expect(listed.body.members).toContainEqual({ subject: `user:${w.bob}`, role: `role:${r}`, expiresAt });
  });
});

describe("bad input", () => {
  it.each([
    ["user:bad id", { role: "viewer" }, "path.subject"],
    ["team:x", { role: "viewer" }, "path.subject"],
    // Rule 18: a role may be left out ({} adds with the project's defaultRole); bad scopes are still 400.
    ["user:x", { scopes: { analytics: "most" } }, "scopes.analytics"],
    ["user:x", { role: 7 }, "role"],
    ["user:x", { role: "viewer", extra: true }, "body"],
  ])("PUT %s %j → 400 naming %s", async (subject, body, field) => {
    const w = await workspace();
    const res = await put(w.p, subject, w.admin, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_request", field });
  });

  it("unknown project → 404", async () => {
    const res = await put(uid("none"), "user:x", "someone", { role: "viewer" });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });
});
