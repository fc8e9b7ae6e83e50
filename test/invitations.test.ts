// Pins invitations (rule 8, docs/rules.md; docs/api.md): a pending invitation grants nothing; only the
// invitee accepts (user id, or verified e-mail), once, getting exactly what PUT members grants;
// declined, revoked and expired invitations grant nothing; 409s for members and duplicates;
// bulk outcomes per invitee; rules 4, 5 and 6 on project invitations; deleting an organization
// or a project ends its pending invitations (revoked); durability across kill -9.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer } from "./support/spawn-server.js";
import { useTestServer, uid, type CallOptions, } from "./support/test-server.js";
import { REMOTE_MODE } from "./remote/test-mode.js";

const DAY = 86_400_000;
// The server's clock: tests move it forward to expire invitations without sleeping.
let clockShift = 0;
const server = useTestServer({ now: () => new Date(Date.now() + clockShift) });

const as = (user: string, email?: string): CallOptions => ({ key: "manage", actor: `user:${user}`, ...(email ? { headers: { "x-actor-email": email } } : {}) });
const allowed = async (resource: string, permission: string, subject: string) => {
  const res = await server.call("POST", "/v1/check", { body: { resource, permission, subject } });
  expect(res.status).toBe(200);
  return res.body.allowed as boolean;
};
const tuples = async (query: Record<string, string>) => {
  const res = await server.call("GET", `/v1/relationships?${new URLSearchParams({ limit: "1000", ...query })}`);
  expect(res.status).toBe(200);
  return (res.body.relationships as Array<{ relationship: string }>).map((r) => r.relationship).sort();
};
const orgTuplesOf = (org: string, user: string) => tuples({ resourceType: "organization", resourceId: org, subjectType: "user", subjectId: user });
const newOrg = async (owner: string) => {
  const id = uid("org");
  expect((await server.call("POST", "/v1/orgs", { ...as(owner), body: { id } })).status).toBe(201);
  return id;
};
const putMember = (org: string, actor: string, user: string, body: unknown) => server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(actor), body });
const inviteToOrg = (org: string, actor: string, body: unknown) => server.call("POST", `/v1/orgs/${org}/invitations`, { ...as(actor), body });
const inviteToProject = (project: string, actor: string, body: unknown) => server.call("POST", `/v1/projects/${project}/invitations`, { ...as(actor), body });
/** invitedId sends one invitation and returns its id. */
const invitedId = async (res: Awaited<ReturnType<typeof inviteToOrg>>) => {
  expect(res.status).toBe(200);
  expect(res.body.results[0]).toMatchObject({ status: "invited" });
  return res.body.results[0].invitation.id as string;
};
const accept = (id: string, options: CallOptions) => server.call("POST", `/v1/invitations/${id}/accept`, options);
const decline = (id: string, options: CallOptions) => server.call("POST", `/v1/invitations/${id}/decline`, options);
const revoke = (id: string, options: CallOptions) => server.call("DELETE", `/v1/invitations/${id}`, options);
const listed = async (path: string, actor: string, status?: string) => {
  const res = await server.call("GET", `${path}/invitations${status ? `?status=${status}` : ""}`, as(actor));
  expect(res.status).toBe(200);
  return (res.body.invitations as Array<{ id: string; status: string }>).map((i) => `${i.id}:${i.status}`);
};

describe("organization invitations", () => {
  it("a pending invitation grants nothing; accepting grants exactly what PUT members grants, once", async () => {
    const [owner, bob, carol] = [uid("owner"), uid("bob"), uid("carol")];
    const org = await newOrg(owner);
    const sent = await inviteToOrg(org, owner, { invitees: [bob], role: "member", scopes: { projects: "full" } });
    expect(sent.body).toMatchObject({ invited: 1, failed: 0 });
    expect(sent.body.zedToken).toBeTruthy();
    const invitation = sent.body.results[0].invitation;
    expect(invitation).toMatchObject({ target: `organization:${org}`, invitee: `user:${bob}`, role: "member", scopes: { projects: "full" }, status: "pending", invitedBy: `user:${owner}` });
    expect(new Date(invitation.expiresAt).getTime() - new Date(invitation.createdAt).getTime()).toBe(7 * DAY);
    // Pending: nothing written, nothing granted.
    expect(await orgTuplesOf(org, bob)).toEqual([]);
    expect(await allowed(`organization:${org}`, "view", `user:${bob}`)).toBe(false);
    expect(await listed(`/v1/orgs/${org}`, owner, "pending")).toEqual([`${invitation.id}:pending`]);

    const accepted = await accept(invitation.id, as(bob));
    expect(accepted.status).toBe(200);
    expect(accepted.body.invitation).toMatchObject({ id: invitation.id, status: "accepted", respondedBy: `user:${bob}` });
    expect(accepted.body.zedToken).toBeTruthy();
    expect(await allowed(`organization:${org}`, "view", `user:${bob}`)).toBe(true);
    expect(await allowed(`organization:${org}`, "create_project", `user:${bob}`)).toBe(true);
    // The very relationships a direct PUT with the same role and scopes writes.
    expect((await putMember(org, owner, carol, { role: "member", scopes: { projects: "full" } })).status).toBe(200);
    const relations = (tuplesOf: string[]) => tuplesOf.map((t) => t.split("#")[1]!.split("@")[0]).sort();
    expect(relations(await orgTuplesOf(org, bob))).toEqual(relations(await orgTuplesOf(org, carol)));
    expect(relations(await orgTuplesOf(org, bob))).toEqual(["general_view", "member", "projects_full"]);

    // Accepting twice grants nothing twice: 409, and the relationships are unchanged.
    const before = await orgTuplesOf(org, bob);
    const again = await accept(invitation.id, as(bob));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("precondition_failed");
    expect(await orgTuplesOf(org, bob)).toEqual(before);
    expect(await listed(`/v1/orgs/${org}`, owner, "accepted")).toEqual([`${invitation.id}:accepted`]);
    expect(await listed(`/v1/orgs/${org}`, owner, "pending")).toEqual([]);
  });

  it("two accepts at once grant once", async () => {
    const [owner, bob] = [uid("owner"), uid("bob")];
    const org = await newOrg(owner);
    const id = await invitedId(await inviteToOrg(org, owner, { invitees: [bob], role: "admin" }));
    const results = await Promise.all([accept(id, as(bob)), accept(id, as(bob)), accept(id, as(bob))]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(await orgTuplesOf(org, bob)).toEqual([`organization:${org}#admin@user:${bob}`, `organization:${org}#general_view@user:${bob}`]);
  });

  it("only the invitee accepts or declines: 403 for anyone else; e-mail invitations through X-Actor-Email", async () => {
    const [owner, eve, mallory, dana] = [uid("owner"), uid("eve"), uid("mallory"), uid("dana")];
    const org = await newOrg(owner);
    const email = `${dana}@Example.com`;
    const sent = await inviteToOrg(org, owner, { invitees: [eve, email], role: "member" });
    expect(sent.body.invited).toBe(2);
    const [forEve, forDana] = sent.body.results.map((r: { invitation: { id: string } }) => r.invitation.id) as [string, string];
    expect(sent.body.results[1].invitation.invitee).toBe(email.toLowerCase());

    for (const attempt of [accept(forEve, as(mallory)), decline(forEve, as(mallory)), accept(forDana, as(mallory, `${mallory}@example.com`)), accept(forDana, as(dana))]) {
      const res = await attempt;
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("forbidden");
    }
    expect(await orgTuplesOf(org, mallory)).toEqual([]);
    expect(await orgTuplesOf(org, dana)).toEqual([]);
    // The address matches case-insensitively; the grant goes to the accepting user.
    const byEmail = await accept(forDana, as(dana, email.toUpperCase()));
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.invitation).toMatchObject({ status: "accepted", respondedBy: `user:${dana}` });
    expect(await allowed(`organization:${org}`, "view", `user:${dana}`)).toBe(true);

    const declined = await decline(forEve, as(eve));
    expect(declined.status).toBe(200);
    expect(declined.body.invitation.status).toBe("declined");
    expect(declined.body.zedToken).toBeTruthy();
    const late = await accept(forEve, as(eve));
    expect(late.status).toBe(409);
    expect(await orgTuplesOf(org, eve)).toEqual([]);
  });

  it("revoked and expired invitations cannot be accepted and grant nothing", async () => {
    const [owner, frank, gina, mo] = [uid("owner"), uid("frank"), uid("gina"), uid("mo")];
    const org = await newOrg(owner);
    await putMember(org, owner, mo, { role: "member" });
    const sent = await inviteToOrg(org, owner, { invitees: [frank, gina], role: "member" });
    const [forFrank, forGina] = sent.body.results.map((r: { invitation: { id: string } }) => r.invitation.id) as [string, string];

    // Revoking needs what sending needed: a plain member cannot.
    expect((await revoke(forFrank, as(mo))).status).toBe(403);
    const revoked = await revoke(forFrank, as(owner));
    expect(revoked.status).toBe(200);
    expect(revoked.body.invitation).toMatchObject({ status: "revoked", respondedBy: `user:${owner}` });
    expect((await accept(forFrank, as(frank))).status).toBe(409);
    expect((await revoke(forFrank, as(owner))).status).toBe(409);
    expect(await orgTuplesOf(org, frank)).toEqual([]);

    clockShift = 7 * DAY + 60_000;
    try {
      const expired = await accept(forGina, as(gina));
      expect(expired.status).toBe(409);
      expect(expired.body.detail).toMatch(/expired/);
      expect((await decline(forGina, as(gina))).status).toBe(409);
      expect(await listed(`/v1/orgs/${org}`, owner, "expired")).toEqual([`${forGina}:expired`]);
      expect(await listed(`/v1/orgs/${org}`, owner, "pending")).toEqual([]);
      expect(await listed(`/v1/orgs/${org}`, owner, "revoked")).toEqual([`${forFrank}:revoked`]);
      expect(await orgTuplesOf(org, gina)).toEqual([]);
      // An expired invitation no longer blocks a new one.
      expect((await inviteToOrg(org, owner, { invitees: [gina], role: "member" })).body.invited).toBe(1);
    } finally {
      clockShift = 0;
    }
  });

  it("409 already_member and invitation_pending, per invitee, with every other invitee's outcome", async () => {
    const [owner, hank, ivy] = [uid("owner"), uid("hank"), uid("ivy")];
    const org = await newOrg(owner);
    await putMember(org, owner, hank, { role: "member" });
    const email = `${uid("jo")}@example.com`;
    const res = await inviteToOrg(org, owner, { invitees: [hank, `user:${ivy}`, ivy, "not valid!", `group:${uid("g")}`, 42, email], role: "member" });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { invitee: unknown; status: string; error?: { code: string } }) => [r.invitee, r.status, r.error?.code])).toEqual([
      [hank, "failed", "already_member"],
      [`user:${ivy}`, "invited", undefined],
      [ivy, "failed", "invitation_pending"],
      ["not valid!", "failed", "invalid_request"],
      [expect.stringMatching(/^group:/), "failed", "invalid_request"],
      [42, "failed", "invalid_request"],
      [email, "invited", undefined],
    ]);
    expect(res.body.results[0].error.status).toBe(409);
    expect(res.body.results[3].error).toMatchObject({ status: 400, field: "invitees.3" });
    expect(res.body).toMatchObject({ invited: 2, failed: 5 });
    expect(await listed(`/v1/orgs/${org}`, owner, "pending")).toHaveLength(2);
    // A second invitation later is 409 too.
    expect((await inviteToOrg(org, owner, { invitees: [email.toUpperCase()], role: "member" })).body.results[0].error.code).toBe("invitation_pending");
  });

  it("fails as a whole only for what concerns every invitee, writing nothing", async () => {
    const [owner, scoped, plain] = [uid("owner"), uid("scoped"), uid("plain")];
    const org = await newOrg(owner);
    await putMember(org, owner, scoped, { role: "member", scopes: { members: "full" } });
    await putMember(org, owner, plain, { role: "member" });
    const cases: Array<[string, unknown, number, string]> = [
      [plain, { invitees: [uid("x")], role: "member" }, 403, "forbidden"],
      [scoped, { invitees: [uid("x")], role: "admin" }, 403, "forbidden"],
      [scoped, { invitees: [uid("x")], role: "member", scopes: { billing: "full" } }, 403, "forbidden"],
      [owner, { invitees: [], role: "member" }, 400, "invalid_request"],
      [owner, { invitees: [uid("x")], role: "superuser" }, 400, "invalid_request"],
    ];
    for (const [actor, body, status, code] of cases) {
      const res = await inviteToOrg(org, actor, body);
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await inviteToOrg(uid("nope"), owner, { invitees: ["x"], role: "member" })).status).toBe(404);
    expect(await listed(`/v1/orgs/${org}`, owner)).toEqual([]);
    // The members scope may invite plain members; listing needs view_members.
    expect((await inviteToOrg(org, scoped, { invitees: [uid("x")], role: "member" })).body.invited).toBe(1);
    expect((await server.call("GET", `/v1/orgs/${org}/invitations`, as(plain))).status).toBe(403);
    expect((await server.call("GET", `/v1/orgs/${org}/invitations?status=bogus`, as(owner))).status).toBe(400);
    expect((await accept(uid("inv"), as(owner))).status).toBe(404);
  });

  it("pages the listing with a cursor and lists an invitee's own pending invitations", async () => {
    const owner = uid("owner");
    const org = await newOrg(owner);
    const invitees = Array.from({ length: 5 }, () => uid("u"));
    await inviteToOrg(org, owner, { invitees, role: "member" });
    const first = await server.call("GET", `/v1/orgs/${org}/invitations?limit=3`, as(owner));
    expect(first.body.invitations).toHaveLength(3);
    const rest = await server.call("GET", `/v1/orgs/${org}/invitations?limit=3&cursor=${first.body.cursor}`, as(owner));
    expect(rest.body.cursor).toBeUndefined();
    // Oldest first; one bulk request's invitations share their creation time.
    expect([...first.body.invitations, ...rest.body.invitations].map((i: { invitee: string }) => i.invitee).sort()).toEqual(invitees.map((u) => `user:${u}`).sort());
    const mine = await server.call("GET", "/v1/invitations", as(invitees[0]!));
    expect(mine.body.invitations.map((i: { target: string }) => i.target)).toEqual([`organization:${org}`]);
  });
});

describe("project invitations", () => {
  it("rules 4 and 5 per invitee; custom roles; a group invitation is accepted by someone who manages the group", async () => {
    const [owner, kim, lee, mo] = [uid("owner"), uid("kim"), uid("lee"), uid("mo")];
    const org = await newOrg(owner);
    for (const u of [kim, mo]) await putMember(org, owner, u, { role: "member" });
    const [project, group, role] = [uid("p"), uid("eng"), uid("auditor")];
    expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id: project, owner: `organization:${org}` } })).status).toBe(201);
    expect((await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(owner), body: { id: group } })).status).toBe(201);
    expect((await server.call("POST", `/v1/orgs/${org}/roles`, { ...as(owner), body: { id: role, name: "Auditor", permissions: ["view", "comment"] } })).status).toBe(201);

    const res = await inviteToProject(project, owner, { invitees: [`user:${kim}`, lee, "x@example.com", `group:${group}`, `group:${uid("nope")}`], role: `role:${role}` });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status)).toEqual([
      "invited",
      "not_org_member",
      "not_org_member",
      "invited",
      "not_found",
    ]);
    const [forKim, , , forGroup] = res.body.results.map((r: { invitation?: { id: string } }) => r.invitation?.id) as string[];
    expect(await allowed(`project:${project}`, "comment", `user:${kim}`)).toBe(false);
    expect(await tuples({ resourceType: "project", resourceId: project, relation: "binding" })).toEqual([]);

    expect((await accept(forKim!, as(kim))).status).toBe(200);
    expect(await allowed(`project:${project}`, "comment", `user:${kim}`)).toBe(true);
    expect(await allowed(`project:${project}`, "edit", `user:${kim}`)).toBe(false);
    expect(await tuples({ resourceType: "role_binding", resourceId: `${project}|${role}`, relation: "holder" })).toEqual([`role_binding:${project}|${role}#holder@user:${kim}`]);

    // A plain member does not manage the group: 403. The owner does: the group gets the role.
    expect((await accept(forGroup!, as(mo))).status).toBe(403);
    expect((await accept(forGroup!, as(owner))).status).toBe(200);
    expect(await tuples({ resourceType: "role_binding", resourceId: `${project}|${role}`, relation: "holder", subjectType: "group" })).toEqual([
      `role_binding:${project}|${role}#holder@group:${group}#member`,
    ]);
    // Already holding a role: 409 already_member.
    const again = await inviteToProject(project, owner, { invitees: [kim, `group:${group}`], role: "viewer" });
    expect(again.body.results.map((r: { error?: { code: string } }) => r.error?.code)).toEqual(["already_member", "already_member"]);
  });

  it("needs what a direct grant needs: managers may invite but not admins; unknown roles are 422", async () => {
    const [owner, manager, kim] = [uid("owner"), uid("manager"), uid("kim")];
    const org = await newOrg(owner);
    for (const u of [manager, kim]) await putMember(org, owner, u, { role: "member" });
    const project = uid("p");
    await server.call("POST", "/v1/projects", { ...as(owner), body: { id: project, owner: `organization:${org}` } });
    await server.call("PUT", `/v1/projects/${project}/members/user:${manager}`, { ...as(owner), body: { role: "manager" } });
    const admin = await inviteToProject(project, manager, { invitees: [kim], role: "admin" });
    expect([admin.status, admin.body.code]).toEqual([403, "forbidden"]);
    const unknown = await inviteToProject(project, owner, { invitees: [kim], role: "superuser" });
    expect([unknown.status, unknown.body.code]).toEqual([422, "invalid_role"]);
    expect((await inviteToProject(uid("nope"), owner, { invitees: [kim], role: "viewer" })).status).toBe(404);
    expect(await listed(`/v1/projects/${project}`, owner)).toEqual([]);
    const id = await invitedId(await inviteToProject(project, manager, { invitees: [kim], role: "editor" }));
    // The manager could have sent it, so may revoke it.
    expect((await revoke(id, as(manager))).status).toBe(200);
    expect((await accept(id, as(kim))).status).toBe(409);
    expect(await allowed(`project:${project}`, "edit", `user:${kim}`)).toBe(false);
  });

  it("rule 6: removing a user from the organization ends their pending invitations there", async () => {
    const [owner, mo] = [uid("owner"), uid("mo")];
    const [org, other] = [await newOrg(owner), await newOrg(owner)];
    await putMember(org, owner, mo, { role: "member" });
    const project = uid("p");
    await server.call("POST", "/v1/projects", { ...as(owner), body: { id: project, owner: `organization:${org}` } });
    const here = await invitedId(await inviteToProject(project, owner, { invitees: [mo], role: "viewer" }));
    const elsewhere = await invitedId(await inviteToOrg(other, owner, { invitees: [mo], role: "member" }));
    expect((await server.call("DELETE", `/v1/orgs/${org}/members/${mo}`, as(owner))).status).toBe(200);
    expect(await listed(`/v1/projects/${project}`, owner)).toEqual([`${here}:revoked`]);
    expect((await accept(here, as(mo))).status).toBe(409);
    expect(await allowed(`project:${project}`, "view", `user:${mo}`)).toBe(false);
    // Another organization's invitation is untouched.
    expect(await listed(`/v1/orgs/${other}`, owner)).toEqual([`${elsewhere}:pending`]);
  });
});

describe("deleting the organization or project an invitation is to", () => {
  const received = async (user: string) => {
    const res = await server.call("GET", "/v1/invitations", as(user));
    expect(res.status).toBe(200);
    return (res.body.invitations as Array<{ id: string }>).map((i) => i.id);
  };
  const refusedAsRevoked = async (id: string, user: string) => {
    const res = await accept(id, as(user));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "precondition_failed", detail: expect.stringMatching(/revoked/) });
  };
  const createOrg = async (owner: string, id: string, seatLimit: number) =>
    expect((await server.call("POST", "/v1/orgs", { ...as(owner), body: { id, seatLimit } })).status).toBe(201);
  /** orgWithProject: an organization of 3 seats (owner, member), with one project. */
  const orgWithProject = async (owner: string, member: string) => {
    const [org, project] = [uid("org"), uid("p")];
    await createOrg(owner, org, 3);
    await putMember(org, owner, member, { role: "member" });
    expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id: project, owner: `organization:${org}` } })).status).toBe(201);
    return { org, project };
  };

  it("an organization's deletion ends its and its projects' pending invitations: none grants, none holds a seat of a new organization of that id", async () => {
    const [owner, bob, carol, dave, mallory] = [uid("owner"), uid("bob"), uid("carol"), uid("dave"), uid("mallory")];
    const { org, project } = await orgWithProject(owner, bob);
    const toOrg = await invitedId(await inviteToOrg(org, owner, { invitees: [carol], role: "admin" }));
    const toProject = await invitedId(await inviteToProject(project, owner, { invitees: [bob], role: "editor" }));
    expect(await received(carol)).toEqual([toOrg]);
    expect(await received(bob)).toEqual([toProject]);

    expect((await server.call("DELETE", `/v1/orgs/${org}`, as(owner))).status).toBe(200);
    expect(await received(carol)).toEqual([]);
    expect(await received(bob)).toEqual([]);
    await refusedAsRevoked(toOrg, carol);
    await refusedAsRevoked(toProject, bob);

    // Someone else creates an organization with the same id (seat limit 2): the old invitations
    // are not pending there, hold none of its seats, and still grant nothing.
    await createOrg(mallory, org, 2);
    expect(await listed(`/v1/orgs/${org}`, mallory, "pending")).toEqual([]);
    expect((await inviteToOrg(org, mallory, { invitees: [dave], role: "member" })).body.results[0]).toMatchObject({ status: "invited" });
    await refusedAsRevoked(toOrg, carol);
    expect(await allowed(`organization:${org}`, "view", `user:${carol}`)).toBe(false);
    expect(await allowed(`organization:${org}`, "manage_members", `user:${carol}`)).toBe(false);
    expect(await orgTuplesOf(org, carol)).toEqual([]);
  });

  it("a project's deletion ends its pending invitations and leaves the organization's (and their seats) as they were", async () => {
    const [owner, bob, carol, dave] = [uid("owner"), uid("bob"), uid("carol"), uid("dave")];
    const { org, project } = await orgWithProject(owner, bob);
    const toProject = await invitedId(await inviteToProject(project, owner, { invitees: [bob], role: "viewer" }));
    const toOrg = await invitedId(await inviteToOrg(org, owner, { invitees: [carol], role: "member" }));

    expect((await server.call("DELETE", `/v1/projects/${project}`, as(owner))).status).toBe(200);
    expect(await received(bob)).toEqual([]);
    await refusedAsRevoked(toProject, bob);
    expect(await allowed(`project:${project}`, "view", `user:${bob}`)).toBe(false);
    // The organization's invitation still holds its seat (owner, bob, carol: 3 of 3) and can be accepted.
    expect(await listed(`/v1/orgs/${org}`, owner, "pending")).toEqual([`${toOrg}:pending`]);
    const full = await inviteToOrg(org, owner, { invitees: [dave], role: "member" });
    expect(full.body.results[0]).toMatchObject({ status: "failed", error: { code: "seat_limit_reached" } });
    expect((await accept(toOrg, as(carol))).status).toBe(200);
    expect(await allowed(`organization:${org}`, "view", `user:${carol}`)).toBe(true);
  });
});

describe.skipIf(REMOTE_MODE)("invitation durability", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "accord-invitations-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("keeps pending and answered invitations across kill -9 and restart", async () => {
    const KEY = "invitations-manage-key-0123456789";
    const env = { ACCORD_DATA_DIR: dataDir, ACCORD_API_KEYS: JSON.stringify([{ name: "manage", key: KEY, scopes: ["manage"] }]) };
    const call = async (url: string, method: string, path: string, actor: string, body?: unknown) => {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${KEY}`, "x-actor": `user:${actor}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { results: Array<{ invitation: { id: string } }>; invitations: Array<{ id: string; status: string }> } };
    };
    const [owner, bob, carol] = ["owner", "bob", "carol"];
    const first = await spawnServer(env);
    let ids: string[];
    try {
      expect((await call(first.url, "POST", "/v1/orgs", owner, { id: "acme" })).status).toBe(201);
      const sent = await call(first.url, "POST", "/v1/orgs/acme/invitations", owner, { invitees: [bob, carol], role: "member" });
      ids = sent.body.results.map((r) => r.invitation.id);
      expect((await call(first.url, "POST", `/v1/invitations/${ids[1]}/decline`, carol)).status).toBe(200);
    } finally {
      await first.kill("SIGKILL");
    }
    const second = await spawnServer(env);
    try {
      const listing = await call(second.url, "GET", "/v1/orgs/acme/invitations", owner);
      expect(listing.body.invitations.map((i) => `${i.id}:${i.status}`).sort()).toEqual([`${ids[0]}:pending`, `${ids[1]}:declined`].sort());
      expect((await call(second.url, "POST", `/v1/invitations/${ids[0]}/accept`, bob)).status).toBe(200);
      expect((await call(second.url, "POST", `/v1/invitations/${ids[1]}/accept`, carol)).status).toBe(409);
    } finally {
      await second.kill("SIGKILL");
    }
  });
});
