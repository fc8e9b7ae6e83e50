// Pins "who has access and why" (GET …/access), "what can they do" (GET …/permissions/:subject)
// and /v1/explain's reasons in product terms (docs/api.md).
import { describe, expect, it } from "vitest";
import { useTestServer, uid, } from "./support/test-server.js";

const server = useTestServer();

async function write(...relationships: string[]) {
  const res = await server.call("POST", "/v1/relationships", { body: { updates: relationships.map((relationship) => ({ operation: "touch", relationship })) } });
  expect(res.status).toBe(200);
}
const as = (user: string) => ({ actor: `user:${user}`, key: "manage" as const });

interface Entry {
  user: string;
  via: Array<Record<string, unknown>>;
}
const byUser = (entries: Entry[]) => Object.fromEntries(entries.map((e) => [e.user.slice("user:".length), e.via]));

/** acme: an organization with one user per way of getting into project p (each through one path only). */
async function acme() {
  const a = {
    org: uid("acme"), p: uid("p"), r: uid("r"), eng: uid("eng"), ops: uid("ops"), aud: uid("aud"),
    owner: uid("olivia"), admin: uid("adam"), creator: uid("cre"), bob: uid("bob"), carl: uid("carl"), dan: uid("dan"), eve: uid("eve"), frank: uid("frank"),
  };
  await write(
    `organization:${a.org}#owner@user:${a.owner}`,
    `organization:${a.org}#admin@user:${a.admin}`,
    ...[a.creator, a.bob, a.carl, a.dan, a.eve, a.frank].map((u) => `organization:${a.org}#member@user:${u}`),
    `organization:${a.org}#projects_full@user:${a.creator}`,
    `group:${a.eng}#organization@organization:${a.org}`,
    `group:${a.eng}#direct_member@user:${a.bob}`,
    `group:${a.ops}#organization@organization:${a.org}`,
    `group:${a.ops}#direct_member@user:${a.dan}`,
    `role:${a.aud}#organization@organization:${a.org}`,
    `role:${a.aud}#perm_view@user:*`,
    `role:${a.aud}#perm_view_members@user:*`,
  );
  expect((await server.call("POST", "/v1/projects", { ...as(a.creator), body: { id: a.p, owner: `organization:${a.org}` } })).status).toBe(201);
  const grant = async (subject: string, role: string) => expect((await server.call("PUT", `/v1/projects/${a.p}/members/${subject}`, { ...as(a.creator), body: { role } })).status).toBe(200);
  await grant(`group:${a.eng}`, "editor");
  await grant(`user:${a.carl}`, `role:${a.aud}`);
  await grant(`group:${a.ops}`, `role:${a.aud}`);
  await grant(`user:${a.eve}`, "viewer");
  await grant(`user:${a.frank}`, "guest");
  expect((await server.call("PUT", `/v1/resources/${a.r}`, { ...as(a.creator), body: { project: a.p } })).status).toBe(201);
  expect((await server.call("PUT", `/v1/resources/${a.r}/members/user:${a.frank}`, { ...as(a.creator), body: { role: "viewer" } })).status).toBe(200);
  return a;
}

describe("GET /v1/projects/:project/access", () => {
  it("lists who can view and through what: direct role, group, custom role (direct or through a group), org bypass", async () => {
    const a = await acme();
    const res = await server.call("GET", `/v1/projects/${a.p}/access?permission=view`, as(a.eve));
    expect(res.status).toBe(200);
    expect(res.body.cursor).toBeUndefined();
    expect(byUser(res.body.access)).toEqual({
      [a.creator]: [{ kind: "direct", project: a.p, role: "admin", reason: `admin of project ${a.p}` }],
      [a.bob]: [{ kind: "group", project: a.p, group: a.eng, role: "editor", reason: `editor through group ${a.eng} on project ${a.p}` }],
      [a.carl]: [{ kind: "custom_role", project: a.p, role: `role:${a.aud}`, reason: `custom role ${a.aud} on project ${a.p}` }],
      [a.dan]: [{ kind: "custom_role", project: a.p, role: `role:${a.aud}`, group: a.ops, reason: `custom role ${a.aud} through group ${a.ops} on project ${a.p}` }],
      [a.eve]: [{ kind: "direct", project: a.p, role: "viewer", reason: `viewer of project ${a.p}` }],
      [a.owner]: [{ kind: "org_bypass", organization: a.org, orgRole: "owner", reason: `owner of organization ${a.org} (bypass)` }],
      [a.admin]: [{ kind: "org_bypass", organization: a.org, orgRole: "admin", reason: `admin of organization ${a.org} (bypass)` }],
    });
    // A guest does not view the project; a custom role without edit does not edit.
    const edit = await server.call("GET", `/v1/projects/${a.p}/access?permission=edit`, as(a.eve));
    expect(edit.body.access.map((e: Entry) => e.user).sort()).toEqual([a.creator, a.bob, a.owner, a.admin].map((u) => `user:${u}`).sort());
  });

  it("pages with limit and cursor, each user once", async () => {
    const a = await acme();
    const all = (await server.call("GET", `/v1/projects/${a.p}/access`, as(a.eve))).body.access as Entry[];
    expect(all).toHaveLength(7);
    const seen: Entry[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await server.call("GET", `/v1/projects/${a.p}/access?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, as(a.eve));
      expect(res.status).toBe(200);
      seen.push(...res.body.access);
      cursor = res.body.cursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(all);
  });

  it("needs view_members (a guest gets 403); bad permission is 400; unknown project 404", async () => {
    const a = await acme();
    const guest = await server.call("GET", `/v1/projects/${a.p}/access`, as(a.frank));
    expect(guest.status).toBe(403);
    expect(guest.body.code).toBe("forbidden");
    expect((await server.call("GET", `/v1/projects/${a.p}/access`, as(a.carl))).status).toBe(200);
    const bad = await server.call("GET", `/v1/projects/${a.p}/access?permission=fly`, as(a.eve));
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("query.permission");
    expect((await server.call("GET", `/v1/projects/${uid("none")}/access`, as(a.eve))).status).toBe(404);
  });

  it("a personal project's owner is listed as owner", async () => {
    const [pat, p] = [uid("pat"), uid("pp")];
    // The anchor alone (no admin relation), so the owner is the only path.
    await write(`project:${p}#owner_user@user:${pat}`);
    const res = await server.call("GET", `/v1/projects/${p}/access?permission=delete_project`, as(pat));
    expect(res.status).toBe(200);
    expect(res.body.access).toEqual([{ user: `user:${pat}`, via: [{ kind: "owner", project: p, reason: `owner of personal project ${p}` }] }]);
  });
});

describe("GET /v1/resources/:resource/access", () => {
  it("tells a direct resource grant from what comes through the project", async () => {
    const a = await acme();
    const res = await server.call("GET", `/v1/resources/${a.r}/access?permission=view`, as(a.eve));
    expect(res.status).toBe(200);
    const via = byUser(res.body.access);
    expect(via[a.frank]).toEqual([{ kind: "resource_grant", resource: a.r, role: "viewer", reason: `viewer of resource ${a.r}` }]);
    expect(via[a.eve]).toEqual([
      { kind: "project", project: a.p, role: "viewer", grant: { kind: "direct", project: a.p, role: "viewer" }, reason: `viewer of project ${a.p}` },
    ]);
    expect(via[a.admin]).toEqual([
      { kind: "project", project: a.p, grant: { kind: "org_bypass", organization: a.org, orgRole: "admin" }, reason: `admin of organization ${a.org} (bypass)` },
    ]);
    expect(Object.keys(via)).toHaveLength(8);
    expect((await server.call("GET", `/v1/resources/${a.r}/access`, as(a.frank))).status).toBe(403);
    expect((await server.call("GET", `/v1/resources/${a.r}/access?permission=own`, as(a.eve))).body.field).toBe("query.permission");
  });
});

describe("GET /v1/orgs/:org/access", () => {
  it("lists members with their organization role, for view_members holders", async () => {
    const a = await acme();
    const res = await server.call("GET", `/v1/orgs/${a.org}/access?permission=manage_admins`, as(a.admin));
    expect(res.status).toBe(200);
    expect(byUser(res.body.access)).toEqual({
      [a.owner]: [{ kind: "org_bypass", organization: a.org, orgRole: "owner", reason: `owner of organization ${a.org} (bypass)` }],
      [a.admin]: [{ kind: "org_bypass", organization: a.org, orgRole: "admin", reason: `admin of organization ${a.org} (bypass)` }],
    });
    const view = await server.call("GET", `/v1/orgs/${a.org}/access?permission=view`, as(a.owner));
    expect(view.body.access).toHaveLength(8);
    expect(byUser(view.body.access)[a.bob]).toEqual([{ kind: "org_role", organization: a.org, role: "member", reason: `member of organization ${a.org}` }]);
    const member = await server.call("GET", `/v1/orgs/${a.org}/access`, as(a.bob));
    expect(member.status).toBe(403);
    expect((await server.call("GET", `/v1/orgs/${uid("none")}/access`, as(a.bob))).status).toBe(404);
  });
});

describe("GET /v1/projects/:project/permissions/:subject", () => {
  it("answers every project permission in one call, for view_members holders or the subject themself", async () => {
    const a = await acme();
    const carl = await server.call("GET", `/v1/projects/${a.p}/permissions/user:${a.carl}`, as(a.eve));
    expect(carl.status).toBe(200);
    expect(carl.body).toMatchObject({ project: a.p, subject: `user:${a.carl}` });
    expect(typeof carl.body.zedToken).toBe("string");
    expect(carl.body.permissions).toEqual({
      view: true, view_members: true, comment: false, create: false, edit: false, delete: false,
      manage_members: false, manage_settings: false, manage_admins: false, delete_project: false,
    });
    const group = await server.call("GET", `/v1/projects/${a.p}/permissions/group:${a.eng}`, as(a.eve));
    expect(group.body.permissions).toMatchObject({ view: true, edit: true, delete: false });
    const owner = await server.call("GET", `/v1/projects/${a.p}/permissions/user:${a.owner}`, as(a.owner));
    expect(Object.values(owner.body.permissions).every(Boolean)).toBe(true);
    // A guest may ask about themself only.
    expect((await server.call("GET", `/v1/projects/${a.p}/permissions/user:${a.frank}`, as(a.frank))).status).toBe(200);
    const other = await server.call("GET", `/v1/projects/${a.p}/permissions/user:${a.eve}`, as(a.frank));
    expect(other.status).toBe(403);
    expect(other.body.code).toBe("forbidden");
  });
});

describe("POST /v1/explain reasons", () => {
  const explain = async (resource: string, permission: string, subject: string) => {
    const res = await server.call("POST", "/v1/explain", { key: "check", body: { resource, permission, subject } });
    expect(res.status).toBe(200);
    return res.body as { allowed: boolean; reasons: string[]; path: unknown[] };
  };

  it("says in product terms why a permission holds", async () => {
    const a = await acme();
    expect((await explain(`project:${a.p}`, "edit", `user:${a.bob}`)).reasons).toEqual([`editor through group ${a.eng} on project ${a.p}`]);
    expect((await explain(`project:${a.p}`, "delete_project", `user:${a.admin}`)).reasons).toEqual([`admin of organization ${a.org} (bypass)`]);
    expect((await explain(`resource:${a.r}`, "view", `user:${a.frank}`)).reasons).toEqual([`viewer of resource ${a.r}`]);
    expect((await explain(`project:${a.p}`, "view", `user:${a.carl}`)).reasons).toEqual([`custom role ${a.aud} on project ${a.p}`]);
    const [pat, pp] = [uid("pat"), uid("pp")];
    await write(`project:${pp}#owner_user@user:${pat}`);
    const owner = await explain(`project:${pp}`, "view", `user:${pat}`);
    expect(owner.reasons).toEqual([`owner of personal project ${pp}`]);
    expect(owner.path.length).toBeGreaterThan(0);
    const denied = await explain(`project:${a.p}`, "edit", `user:${a.eve}`);
    expect(denied).toMatchObject({ allowed: false, reasons: [] });
  });
});
