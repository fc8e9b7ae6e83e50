// Pins rule 14, invite and edit access in one step: organization invitations with project access
// (422 for a project of another organization, 403 and nothing sent when the sender may not grant
// a role, acceptance grants membership, org scopes, project roles and per-project scopes in one
// atomic write, also to an e-mail invitee) and PUT /v1/orgs/:org/members/:user/access (the whole
// access in one atomic write; projects left out lose the member's own access) — both shown atomic
// by a failure injected between the engine write and the app state.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/compose.js";
import { ApiKeyRing } from "../src/auth/api-keys.js";
import { createLogger } from "../src/logger.js";
import { StoreError, type Store } from "../src/store/store.js";
import { KEYS, useTestServer, uid } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();
const { as, allowed, tuples, newOrg } = productCalls(() => server);

const putMember = (org: string, actor: string, user: string, body: unknown = { role: "member" }) => server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(actor), body });
const grant = (project: string, subject: string, actor: string, body: unknown) => server.call("PUT", `/v1/projects/${project}/members/${subject}`, { ...as(actor), body });
const invite = (org: string, actor: string, body: unknown) => server.call("POST", `/v1/orgs/${org}/invitations`, { ...as(actor), body });
const setAccess = (org: string, actor: string, user: string, body: unknown) => server.call("PUT", `/v1/orgs/${org}/members/${user}/access`, { ...as(actor), body });
const accept = (id: string, user: string, email?: string) =>
  server.call("POST", `/v1/invitations/${id}/accept`, { ...as(user), ...(email ? { headers: { "x-actor-email": email } } : {}) });
const newProject = async (org: string, owner: string) => {
  const id = uid("p");
  expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id, owner: `organization:${org}` } })).status).toBe(201);
  return id;
};
/** everything a user holds in the organization's projects and their feature objects, as raw tuples. */
const holdings = async (user: string, projects: string[]) => {
  const own = await tuples({ resourceType: "project", subjectType: "user", subjectId: user });
  const features = await tuples({ resourceType: "project_feature", subjectType: "user", subjectId: user });
  return [...own, ...features].filter((t) => projects.some((p) => t.startsWith(`project:${p}#`) || t.startsWith(`project_feature:${p}|`)));
};

/** world: an organization with feature analytics, projects apollo and zeus, and a manager of apollo only. */
async function world() {
  const [owner, pm] = [uid("own"), uid("pm")];
  const org = await newOrg(owner);
  expect((await server.call("PUT", `/v1/orgs/${org}/features`, { ...as(owner), body: { features: ["analytics"] } })).status).toBe(200);
  const [apollo, zeus] = [await newProject(org, owner), await newProject(org, owner)];
  // pm manages members of the organization (members scope full) and is a manager of apollo only.
  expect((await putMember(org, owner, pm, { role: "member", scopes: { members: "full" } })).status).toBe(200);
  expect((await grant(apollo, `user:${pm}`, owner, { role: "manager" })).status).toBe(200);
  const other = await newOrg(owner);
  const foreign = await newProject(other, owner);
  return { org, owner, pm, apollo, zeus, foreign };
}

/** replicaWith serves the same engine through a store whose method `failing` rejects when `when` says so. */
async function replicaWith(failing: keyof Store, when: (...args: never[]) => boolean = () => true) {
  const store = new Proxy(server.store as Store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      const bound = (value as (...args: never[]) => unknown).bind(target);
      if (property !== failing) return bound;
      return (...args: never[]) => (when(...args) ? Promise.reject(new StoreError("unavailable", "disk full")) : bound(...args));
    },
  });
  const app = buildApp({ engine: server.engine, store, keys: ApiKeyRing.fromConfig([{ name: "manage", key: KEYS.manage, scopes: ["manage"] }]), logger: createLogger("silent") });
  const listener: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  return {
    async call(method: string, path: string, actor: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${KEYS.manage}`, "x-actor": `user:${actor}`, "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { code?: string } };
    },
    async close() {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

describe("organization invitations with project access", () => {
  it("accepting grants membership, org scopes, every project role and per-project scope at once; the invitation shows the access", async () => {
    const w = await world();
    const dana = uid("dana");
    const sent = await invite(w.org, w.owner, {
      invitees: [dana],
      role: "member",
      scopes: { projects: "view" },
      projects: [
        { project: `project:${w.apollo}`, role: "editor", scopes: { analytics: "none", settings_members: "view" } },
        { project: w.zeus, role: "viewer" },
      ],
    });
    expect(sent.status).toBe(200);
    const invitation = sent.body.results[0].invitation;
    expect(invitation.projects).toEqual([
      { project: w.apollo, role: "editor", scopes: { analytics: "none", settings_members: "view" } },
      { project: w.zeus, role: "viewer" },
    ]);
    // Pending: nothing granted.
    expect(await allowed(`project:${w.apollo}`, "view", `user:${dana}`)).toBe(false);
    expect(await holdings(dana, [w.apollo, w.zeus])).toEqual([]);
    const accepted = await accept(invitation.id, dana);
    expect(accepted.status).toBe(200);
    expect(await allowed(`organization:${w.org}`, "view_projects", `user:${dana}`)).toBe(true);
    expect(await allowed(`project:${w.apollo}`, "edit", `user:${dana}`)).toBe(true);
    expect(await allowed(`project:${w.apollo}`, "view_analytics", `user:${dana}`)).toBe(false);
    expect(await allowed(`project:${w.apollo}`, "view_settings_members", `user:${dana}`)).toBe(true);
    expect(await allowed(`project:${w.zeus}`, "view", `user:${dana}`)).toBe(true);
    expect(await allowed(`project:${w.zeus}`, "edit", `user:${dana}`)).toBe(false);
    expect(await holdings(dana, [w.apollo, w.zeus])).toEqual(
      [
        `project:${w.apollo}#editor@user:${dana}`,
        `project:${w.apollo}#settings_members_view@user:${dana}`,
        `project:${w.zeus}#viewer@user:${dana}`,
        `project_feature:${w.apollo}|analytics#scope_none@user:${dana}`,
      ].sort(),
    );
  });

  it("an e-mail invitee reaches the projects like a user-id invitee once they accept with that address", async () => {
    const w = await world();
    const [lee, email] = [uid("lee"), `${uid("lee")}@example.com`];
    const sent = await invite(w.org, w.owner, { invitees: [email], role: "member", projects: [{ project: w.zeus, role: "manager", scopes: { analytics: "view" } }] });
    const id = sent.body.results[0].invitation.id;
    expect((await accept(id, lee)).status).toBe(403);
    expect(await allowed(`project:${w.zeus}`, "view", `user:${lee}`)).toBe(false);
    expect((await accept(id, lee, email)).status).toBe(200);
    expect(await allowed(`project:${w.zeus}`, "manage_members", `user:${lee}`)).toBe(true);
    expect(await allowed(`project:${w.zeus}`, "manage_analytics", `user:${lee}`)).toBe(false);
    expect(await allowed(`project:${w.zeus}`, "view_analytics", `user:${lee}`)).toBe(true);
  });

  it("refuses a project of another organization (422 naming it) and a role the sender may not grant (403): nothing is sent", async () => {
    const w = await world();
    const [ann, bob] = [uid("ann"), uid("bob")];
    const list = async () => (await server.call("GET", `/v1/orgs/${w.org}/invitations?status=pending`, as(w.owner))).body.invitations;
    const foreign = await invite(w.org, w.owner, { invitees: [ann], role: "member", projects: [{ project: w.apollo, role: "viewer" }, { project: w.foreign, role: "viewer" }] });
    expect([foreign.status, foreign.body.code, foreign.body.field]).toEqual([422, "not_in_organization", "projects.1.project"]);
    const unknown = await invite(w.org, w.owner, { invitees: [ann], role: "member", projects: [{ project: uid("nope"), role: "viewer" }] });
    expect([unknown.status, unknown.body.code]).toEqual([422, "not_in_organization"]);
    const badScope = await invite(w.org, w.owner, { invitees: [ann], role: "member", projects: [{ project: w.apollo, role: "viewer", scopes: { billing: "full" } }] });
    expect([badScope.status, badScope.body.code, badScope.body.field]).toEqual([422, "invalid_scope", "projects.0.scopes.billing"]);
    const wrongType = await invite(w.org, w.owner, { invitees: [ann], role: "member", projects: [{ project: `organization:${w.org}`, role: "viewer" }] });
    expect([wrongType.status, wrongType.body.code, wrongType.body.field]).toEqual([400, "invalid_request", "projects.0.project"]);
    // pm manages org members and apollo, not zeus; and as a manager may not grant admin on apollo.
    const onZeus = await invite(w.org, w.pm, { invitees: [ann, bob], role: "member", projects: [{ project: w.apollo, role: "viewer" }, { project: w.zeus, role: "viewer" }] });
    expect([onZeus.status, onZeus.body.code]).toEqual([403, "forbidden"]);
    const asAdmin = await invite(w.org, w.pm, { invitees: [ann], role: "member", projects: [{ project: w.apollo, role: "admin" }] });
    expect([asAdmin.status, asAdmin.body.code]).toEqual([403, "forbidden"]);
    expect(await list()).toEqual([]);
    // Within their rights it goes through.
    expect((await invite(w.org, w.pm, { invitees: [ann], role: "member", projects: [{ project: w.apollo, role: "manager" }] })).body.invited).toBe(1);
  });

  it("is atomic: when the acceptance cannot be recorded, nothing is granted and the invitation stays pending (503)", async () => {
    const w = await world();
    const eve = uid("eve");
    const sent = await invite(w.org, w.owner, { invitees: [eve], role: "member", scopes: { billing: "view" }, projects: [{ project: w.apollo, role: "editor", scopes: { analytics: "view" } }, { project: w.zeus, role: "viewer" }] });
    const id = sent.body.results[0].invitation.id;
    // The engine write lands, the member is recorded, then marking the invitation accepted fails.
    const replica = await replicaWith("updateInvitation", ((_id: string, change: { to: string }) => change.to === "accepted") as never);
    try {
      const res = await replica.call("POST", `/v1/invitations/${id}/accept`, eve);
      expect([res.status, res.body.code]).toEqual([503, "unavailable"]);
    } finally {
      await replica.close();
    }
    expect(await tuples({ resourceType: "organization", resourceId: w.org, subjectType: "user", subjectId: eve })).toEqual([]);
    expect(await holdings(eve, [w.apollo, w.zeus])).toEqual([]);
    expect(await allowed(`project:${w.apollo}`, "view", `user:${eve}`)).toBe(false);
    const pending = (await server.call("GET", `/v1/orgs/${w.org}/invitations?status=pending`, as(w.owner))).body.invitations;
    expect(pending.map((i: { id: string }) => i.id)).toEqual([id]);
    const directory = (await server.call("GET", `/v1/orgs/${w.org}/members`, as(w.owner))).body.members;
    expect(directory.map((m: { user: string }) => m.user)).not.toContain(eve);
    // It can be accepted afterwards, all of it.
    expect((await accept(id, eve)).status).toBe(200);
    expect(await allowed(`project:${w.apollo}`, "manage_analytics", `user:${eve}`)).toBe(false);
    expect(await allowed(`project:${w.zeus}`, "view", `user:${eve}`)).toBe(true);
  });
});

describe("PUT /v1/orgs/:org/members/:user/access", () => {
  it("sets role, org scopes, project roles and per-project scopes in one write; projects left out lose the member's own access", async () => {
    const w = await world();
    const sam = uid("sam");
    await putMember(w.org, w.owner, sam, { role: "member", scopes: { billing: "full" } });
    await grant(w.zeus, `user:${sam}`, w.owner, { role: "editor", scopes: { analytics: "none" } });
    const res = await setAccess(w.org, w.owner, sam, {
      role: "member",
      scopes: { projects: "full" },
      projects: [{ project: `project:${w.apollo}`, role: "viewer", scopes: { settings_general: "full" } }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      user: sam,
      role: "member",
      scopes: { general: "view", integrations: "none", members: "none", projects: "full", billing: "none" },
      projects: [{ project: w.apollo, role: "viewer", scopes: { settings_general: "full" } }],
      removedFrom: [w.zeus],
    });
    expect(res.body.zedToken).toBeTruthy();
    // Org scopes left out take the defaults: billing is gone.
    expect(await allowed(`organization:${w.org}`, "manage_billing", `user:${sam}`)).toBe(false);
    expect(await allowed(`organization:${w.org}`, "create_project", `user:${sam}`)).toBe(true);
    expect(await allowed(`project:${w.apollo}`, "view", `user:${sam}`)).toBe(true);
    expect(await allowed(`project:${w.apollo}`, "manage_settings_general", `user:${sam}`)).toBe(true);
    expect(await allowed(`project:${w.zeus}`, "view", `user:${sam}`)).toBe(false);
    expect(await holdings(sam, [w.apollo, w.zeus])).toEqual([`project:${w.apollo}#settings_general_full@user:${sam}`, `project:${w.apollo}#viewer@user:${sam}`]);
    // The same call again changes nothing.
    const again = await setAccess(w.org, w.owner, sam, { role: "member", scopes: { projects: "full" }, projects: [{ project: w.apollo, role: "viewer", scopes: { settings_general: "full" } }] });
    expect(again.body.removedFrom).toEqual([]);
    expect(await holdings(sam, [w.apollo, w.zeus])).toHaveLength(2);
  });

  it("needs what each change needs alone: 403 and nothing written; 422 for a project of another organization", async () => {
    const w = await world();
    const kim = uid("kim");
    await putMember(w.org, w.owner, kim);
    await grant(w.zeus, `user:${kim}`, w.owner, { role: "viewer" });
    const before = await holdings(kim, [w.apollo, w.zeus]);
    // pm may grant on apollo, but kim's access to zeus (which pm does not manage) would end.
    const leavesZeus = await setAccess(w.org, w.pm, kim, { role: "member", projects: [{ project: w.apollo, role: "editor" }] });
    expect([leavesZeus.status, leavesZeus.body.code]).toEqual([403, "forbidden"]);
    const onZeus = await setAccess(w.org, w.pm, kim, { role: "member", projects: [{ project: w.apollo, role: "editor" }, { project: w.zeus, role: "editor" }] });
    expect([onZeus.status, onZeus.body.code]).toEqual([403, "forbidden"]);
    const adminRole = await setAccess(w.org, w.pm, kim, { role: "admin", projects: [{ project: w.zeus, role: "viewer" }] });
    expect([adminRole.status, adminRole.body.code]).toEqual([403, "forbidden"]);
    const foreign = await setAccess(w.org, w.owner, kim, { role: "member", projects: [{ project: w.foreign, role: "viewer" }] });
    expect([foreign.status, foreign.body.code, foreign.body.field]).toEqual([422, "not_in_organization", "projects.0.project"]);
    const twice = await setAccess(w.org, w.owner, kim, { role: "member", projects: [{ project: w.zeus, role: "viewer" }, { project: w.zeus, role: "editor" }] });
    expect([twice.status, twice.body.field]).toEqual([400, "projects.1.project"]);
    expect((await setAccess(w.org, w.owner, kim, { role: "member" })).status).toBe(400);
    expect(await holdings(kim, [w.apollo, w.zeus])).toEqual(before);
    expect(await allowed(`project:${w.apollo}`, "edit", `user:${kim}`)).toBe(false);
    // Listing zeus unchanged, pm may set apollo: nothing to be allowed on zeus.
    expect((await setAccess(w.org, w.pm, kim, { role: "member", projects: [{ project: w.apollo, role: "editor" }, { project: w.zeus, role: "viewer" }] })).status).toBe(200);
    expect(await allowed(`project:${w.apollo}`, "edit", `user:${kim}`)).toBe(true);
  });

  it("adds a user who is not a member yet (the seat limit applies) and keeps access through groups", async () => {
    const w = await world();
    const [neo, gia] = [uid("neo"), uid("gia")];
    const g = uid("g");
    await putMember(w.org, w.owner, gia);
    expect((await server.call("POST", `/v1/orgs/${w.org}/groups`, { ...as(w.owner), body: { id: g } })).status).toBe(201);
    expect((await server.call("PUT", `/v1/groups/${g}/members/user:${gia}`, as(w.owner))).status).toBe(200);
    await grant(w.zeus, `group:${g}`, w.owner, { role: "viewer" });
    await grant(w.zeus, `user:${gia}`, w.owner, { role: "editor" });
    expect((await setAccess(w.org, w.owner, gia, { role: "member", projects: [] })).body.removedFrom).toEqual([w.zeus]);
    expect(await allowed(`project:${w.zeus}`, "edit", `user:${gia}`)).toBe(false);
    expect(await allowed(`project:${w.zeus}`, "view", `user:${gia}`)).toBe(true);

    const added = await setAccess(w.org, w.owner, neo, { role: "member", projects: [{ project: w.apollo, role: "guest" }] });
    expect(added.status).toBe(200);
    expect(await allowed(`organization:${w.org}`, "view", `user:${neo}`)).toBe(true);
    expect(await allowed(`project:${w.apollo}`, "access", `user:${neo}`)).toBe(true);
    const members = (await server.call("GET", `/v1/orgs/${w.org}/members`, as(w.owner))).body.members;
    expect(members.find((m: { user: string }) => m.user === neo)).toMatchObject({ projects: [{ project: w.apollo, role: "guest" }], joinedAt: expect.any(String) });
    // A full organization takes nobody new.
    expect((await server.call("PATCH", `/v1/orgs/${w.org}`, { ...as(w.owner), body: { seatLimit: members.length } })).status).toBe(200);
    const full = await setAccess(w.org, w.owner, uid("late"), { role: "member", projects: [] });
    expect([full.status, full.body.code]).toEqual([409, "seat_limit_reached"]);
  });

  it("is atomic: when the pending invitations of a project left out cannot be ended, nothing changes (503)", async () => {
    const w = await world();
    const ivy = uid("ivy");
    await putMember(w.org, w.owner, ivy, { role: "member", scopes: { integrations: "view" } });
    await grant(w.zeus, `user:${ivy}`, w.owner, { role: "manager", scopes: { settings_members: "none" } });
    const before = {
      org: await tuples({ resourceType: "organization", resourceId: w.org, subjectType: "user", subjectId: ivy }),
      projects: await holdings(ivy, [w.apollo, w.zeus]),
    };
    const replica = await replicaWith("listPendingInvitationsFor");
    try {
      const res = await replica.call("PUT", `/v1/orgs/${w.org}/members/${ivy}/access`, w.owner, {
        role: "admin",
        projects: [{ project: w.apollo, role: "editor", scopes: { analytics: "full" } }],
      });
      expect([res.status, res.body.code]).toEqual([503, "unavailable"]);
    } finally {
      await replica.close();
    }
    expect(await tuples({ resourceType: "organization", resourceId: w.org, subjectType: "user", subjectId: ivy })).toEqual(before.org);
    expect(await holdings(ivy, [w.apollo, w.zeus])).toEqual(before.projects);
    expect(before.projects).toHaveLength(2);
    expect(await allowed(`project:${w.apollo}`, "view", `user:${ivy}`)).toBe(false);
    expect(await allowed(`project:${w.zeus}`, "manage_members", `user:${ivy}`)).toBe(true);
    expect(await allowed(`organization:${w.org}`, "manage_admins", `user:${ivy}`)).toBe(false);
  });
});
