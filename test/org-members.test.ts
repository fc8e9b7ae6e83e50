// Pins the org member contract (PUT/DELETE/GET /v1/orgs/:org/members): per-area scopes
// (Atomic AGI seed), admin bypass, rule 3 one level up, last-owner protection under
// concurrency, and the rule 6 cascade (project-people-and-groups seed).
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/compose.js";
import { ApiKeyRing } from "../src/auth/api-keys.js";
import { createLogger } from "../src/logger.js";
import { KEYS, useTestServer, uid, } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();

const { as, allowed, tuples, raw, newOrg } = productCalls(() => server);
const putMember = (org: string, actor: string, user: string, body: unknown) => server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(actor), body });
const orgTuplesOf = (org: string, user: string) => tuples({ resourceType: "organization", resourceId: org, subjectType: "user", subjectId: user });

describe("PUT /v1/orgs/:org/members/:user", () => {
  it("adds a member with default scopes (general=view) and returns role, scopes and zedToken", async () => {
    const [owner, mia] = [uid("owner"), uid("mia")];
    const org = await newOrg(owner);
    const res = await putMember(org, owner, mia, { role: "member" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: mia, role: "member", scopes: { general: "view", integrations: "none", members: "none", projects: "none", billing: "none" } });
    expect(res.body.zedToken).toBeTruthy();
    expect(await orgTuplesOf(org, mia)).toEqual([`organization:${org}#general_view@user:${mia}`, `organization:${org}#member@user:${mia}`]);
    expect(await allowed(`organization:${org}`, "view", `user:${mia}`)).toBe(true);
    expect(await allowed(`organization:${org}`, "view_general", `user:${mia}`)).toBe(true);
    expect(await allowed(`organization:${org}`, "manage_members", `user:${mia}`)).toBe(false);
  });

  it("stores one relation per area (full implies view), keeps areas not given, and keeps one role", async () => {
    const [owner, sam] = [uid("owner"), uid("sam")];
    const org = await newOrg(owner);
    expect((await putMember(org, owner, sam, { role: "member", scopes: { members: "full", billing: "view" } })).status).toBe(200);
    expect(await orgTuplesOf(org, sam)).toEqual(
      [`general_view`, `member`, `members_full`, `billing_view`].map((r) => `organization:${org}#${r}@user:${sam}`).sort(),
    );
    expect(await allowed(`organization:${org}`, "view_members", `user:${sam}`)).toBe(true);
    // Change one area and the role: the others stay, the old role tuple goes in the same write.
    const res = await putMember(org, owner, sam, { role: "admin", scopes: { billing: "none" } });
    expect(res.status).toBe(200);
    expect(res.body.scopes).toEqual({ general: "view", integrations: "none", members: "full", projects: "none", billing: "none" });
    expect(await orgTuplesOf(org, sam)).toEqual([`admin`, `general_view`, `members_full`].map((r) => `organization:${org}#${r}@user:${sam}`).sort());
    // Demoted back to member, the stored scopes apply again (admins bypass but keep them).
    expect((await putMember(org, owner, sam, { role: "member" })).status).toBe(200);
    expect(await allowed(`organization:${org}`, "manage_billing", `user:${sam}`)).toBe(false);
    expect(await allowed(`organization:${org}`, "manage_members", `user:${sam}`)).toBe(true);
  });

  it("Atomic AGI scopes: members=full manages members and groups, members=view only sees the directory, none sees neither", async () => {
    const [owner, max, vic, nora, newcomer] = [uid("owner"), uid("max"), uid("vic"), uid("nora"), uid("new")];
    const org = await newOrg(owner);
    await putMember(org, owner, max, { role: "member", scopes: { members: "full" } });
    await putMember(org, owner, vic, { role: "member", scopes: { members: "view" } });
    await putMember(org, owner, nora, { role: "member", scopes: { general: "none" } });

    expect((await putMember(org, max, newcomer, { role: "member" })).status).toBe(200);
    expect((await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(max), body: { id: uid("g") } })).status).toBe(201);

    const denied = await putMember(org, vic, uid("x"), { role: "member" });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("forbidden");
    const group = uid("g");
    const noGroup = await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(vic), body: { id: group } });
    expect(noGroup.status).toBe(403);
    expect(await tuples({ resourceType: "group", resourceId: group })).toEqual([]);
    expect((await server.call("GET", `/v1/orgs/${org}/members`, as(vic))).status).toBe(200);

    const hidden = await server.call("GET", `/v1/orgs/${org}/members`, as(nora));
    expect(hidden.status).toBe(403);
    expect(hidden.body.code).toBe("forbidden");
    expect((await server.call("GET", `/v1/orgs/${org}`, as(nora))).status).toBe(200);
  });

  it("admins bypass scopes: an admin with every scope none manages members, groups and billing", async () => {
    const [owner, adam] = [uid("owner"), uid("adam")];
    const org = await newOrg(owner);
    await putMember(org, owner, adam, { role: "admin", scopes: { general: "none" } });
    expect((await putMember(org, adam, uid("m"), { role: "member" })).status).toBe(200);
    expect((await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(adam), body: { id: uid("g") } })).status).toBe(201);
    expect((await server.call("PATCH", `/v1/orgs/${org}`, { ...as(adam), body: { seatLimit: 50 } })).status).toBe(200);
    expect(await allowed(`organization:${org}`, "manage_integrations", `user:${adam}`)).toBe(true);
  });

  it("a scoped manager cannot grant more than their own scopes, nor grant admin", async () => {
    const [owner, max, target] = [uid("owner"), uid("max"), uid("t")];
    const org = await newOrg(owner);
    await putMember(org, owner, max, { role: "member", scopes: { members: "full" } });
    const escalate = await putMember(org, max, target, { role: "member", scopes: { billing: "full" } });
    expect(escalate.status).toBe(403);
    expect(escalate.body.code).toBe("forbidden");
    const self = await putMember(org, max, max, { role: "member", scopes: { projects: "view" } });
    expect(self.status).toBe(403);
    const admin = await putMember(org, max, target, { role: "admin" });
    expect(admin.status).toBe(403);
    expect(await orgTuplesOf(org, target)).toEqual([]);
    expect(await orgTuplesOf(org, max)).not.toContain(`organization:${org}#projects_view@user:${max}`);
  });

  it("rule 3 one level up: an org admin cannot grant, change or remove an owner (403, nothing written)", async () => {
    const [olivia, other, adam, mia] = [uid("olivia"), uid("owner2"), uid("adam"), uid("mia")];
    const org = await newOrg(olivia);
    await putMember(org, olivia, other, { role: "owner" });
    await putMember(org, olivia, adam, { role: "admin" });
    await putMember(org, olivia, mia, { role: "member" });
    const before = await tuples({ resourceType: "organization", resourceId: org });

    for (const res of [
      await putMember(org, adam, mia, { role: "owner" }),
      await putMember(org, adam, other, { role: "member" }),
      await putMember(org, adam, other, { role: "owner", scopes: { billing: "full" } }),
      await server.call("DELETE", `/v1/orgs/${org}/members/${other}`, as(adam)),
      await putMember(org, adam, adam, { role: "owner" }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("forbidden");
    }
    expect(await tuples({ resourceType: "organization", resourceId: org })).toEqual(before);
    // …while admins may still grant and change admins, and owners may touch owners.
    expect((await putMember(org, adam, mia, { role: "admin" })).status).toBe(200);
    expect((await putMember(org, olivia, other, { role: "admin" })).status).toBe(200);
    expect(await allowed(`organization:${org}`, "manage_owners", `user:${other}`)).toBe(false);
  });

  it("validates the body and the path (400 naming the field) and 404s an unknown organization", async () => {
    const owner = uid("owner");
    const org = await newOrg(owner);
    const badRole = await putMember(org, owner, uid("u"), { role: "superuser" });
    expect(badRole.status).toBe(400);
    expect(badRole.body).toMatchObject({ code: "invalid_request", field: "role" });
    const badLevel = await putMember(org, owner, uid("u"), { role: "member", scopes: { billing: "write" } });
    expect(badLevel.status).toBe(400);
    expect(badLevel.body.field).toBe("scopes.billing");
    const badArea = await putMember(org, owner, uid("u"), { role: "member", scopes: { payroll: "full" } });
    expect(badArea.status).toBe(400);
    const badUser = await putMember(org, owner, "no:pe", { role: "member" });
    expect(badUser.status).toBe(400);
    expect(badUser.body.field).toBe("path.user");
    const noActor = await server.call("PUT", `/v1/orgs/${org}/members/${uid("u")}`, { key: "manage", body: { role: "member" } });
    expect(noActor.status).toBe(400);
    const checkKey = await server.call("PUT", `/v1/orgs/${org}/members/${uid("u")}`, { key: "check", actor: `user:${owner}`, body: { role: "member" } });
    expect(checkKey.status).toBe(403);
    const unknown = await putMember(uid("nope"), owner, uid("u"), { role: "member" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("not_found");
  });
});

describe("last owner", () => {
  it("can be neither demoted nor removed, nor leave (409 precondition_failed)", async () => {
    const olivia = uid("olivia");
    const org = await newOrg(olivia);
    for (const res of [
      await putMember(org, olivia, olivia, { role: "admin" }),
      await server.call("DELETE", `/v1/orgs/${org}/members/${olivia}`, as(olivia)),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("precondition_failed");
    }
    expect(await tuples({ resourceType: "organization", resourceId: org, relation: "owner" })).toEqual([`organization:${org}#owner@user:${olivia}`]);
    // With a second owner, one may step down.
    const other = uid("owner2");
    await putMember(org, olivia, other, { role: "owner" });
    expect((await putMember(org, olivia, olivia, { role: "member" })).status).toBe(200);
    expect(await tuples({ resourceType: "organization", resourceId: org, relation: "owner" })).toEqual([`organization:${org}#owner@user:${other}`]);
  });

  it("two owners demoting each other at once never leave zero owners (one server)", async () => {
    const [a, b] = [uid("a"), uid("b")];
    const org = await newOrg(a);
    await putMember(org, a, b, { role: "owner" });
    const results = await Promise.all([putMember(org, a, b, { role: "member" }), putMember(org, b, a, { role: "member" })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 403]);
    const owners = await tuples({ resourceType: "organization", resourceId: org, relation: "owner" });
    expect(owners).toHaveLength(1);
  });

  it("two owners demoting themselves at once on two replicas: the engine precondition keeps one owner", async () => {
    // A second app on the same engine and store stands for another replica: its own
    // in-process locks, so only the write precondition stands between them.
    const replica = buildApp({
      engine: server.engine,
      store: server.store,
      keys: ApiKeyRing.fromConfig([{ name: "manage", key: KEYS.manage, scopes: ["manage"] }]),
      logger: createLogger("silent"),
    });
    const listener: Server = await new Promise((resolve) => {
      const s = replica.listen(0, "127.0.0.1", () => resolve(s));
    });
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    try {
      for (let round = 0; round < 3; round++) {
        const [a, b] = [uid("a"), uid("b")];
        const org = await newOrg(a);
        await putMember(org, a, b, { role: "owner" });
        const viaReplica = fetch(`${url}/v1/orgs/${org}/members/${b}`, {
          method: "PUT",
          headers: { authorization: `Bearer ${KEYS.manage}`, "x-actor": `user:${b}`, "content-type": "application/json" },
          body: JSON.stringify({ role: "member" }),
        });
        const statuses = await Promise.all([putMember(org, a, a, { role: "member" }).then((r) => r.status), viaReplica.then((r) => r.status)]);
        expect(statuses.sort()).toEqual([200, 409]);
        expect(await tuples({ resourceType: "organization", resourceId: org, relation: "owner" })).toHaveLength(1);
      }
    } finally {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});

describe("DELETE /v1/orgs/:org/members/:user", () => {
  it("rule 6: removes the user from the org's groups, projects, custom-role bindings and resources in one write", async () => {
    const [owner, gina] = [uid("owner"), uid("gina")];
    const org = await newOrg(owner);
    const otherOrg = await newOrg(owner);
    const [group, project, res, role, elsewhere] = [uid("g"), uid("p"), uid("r"), uid("role"), uid("p")];
    await putMember(org, owner, gina, { role: "member", scopes: { projects: "full" } });
    await putMember(otherOrg, owner, gina, { role: "member" });
    expect((await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(owner), body: { id: group } })).status).toBe(201);
    expect((await server.call("PUT", `/v1/groups/${group}/members/user:${gina}`, as(owner))).status).toBe(200);
    expect((await server.call("POST", `/v1/orgs/${org}/roles`, { ...as(owner), body: { id: role, name: "Auditor", permissions: ["view", "comment"] } })).status).toBe(201);
    // Project grants are written raw: the project endpoints are built separately.
    await raw(
      `project:${project}#organization@organization:${org}`,
      `project:${project}#editor@user:${gina}`,
      `project:${project}#viewer@group:${group}#member`,
      `project:${project}#binding@role_binding:${project}|${role}`,
      `role_binding:${project}|${role}#role@role:${role}`,
      `role_binding:${project}|${role}#holder@user:${gina}`,
      `resource:${res}#project@project:${project}`,
      `resource:${res}#editor@user:${gina}`,
      `project:${elsewhere}#organization@organization:${otherOrg}`,
      `project:${elsewhere}#viewer@user:${gina}`,
    );
    expect(await allowed(`project:${project}`, "edit", `user:${gina}`)).toBe(true);

    const removed = await server.call("DELETE", `/v1/orgs/${org}/members/${gina}`, as(owner));
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ user: gina, removed: 7 });
    expect(removed.body.zedToken).toBeTruthy();

    // Nothing of that organization is left naming gina; her other organization is untouched.
    expect(await tuples({ subjectType: "user", subjectId: gina })).toEqual(
      [
        `organization:${otherOrg}#general_view@user:${gina}`,
        `organization:${otherOrg}#member@user:${gina}`,
        `project:${elsewhere}#viewer@user:${gina}`,
      ].sort(),
    );
    for (const [resource, permission] of [
      [`organization:${org}`, "view"],
      [`project:${project}`, "view"],
      [`project:${project}`, "comment"],
      [`resource:${res}`, "view"],
      [`group:${group}`, "member"],
    ] as const) {
      expect(await allowed(resource, permission, `user:${gina}`)).toBe(false);
    }
    expect(await allowed(`project:${elsewhere}`, "view", `user:${gina}`)).toBe(true);
    // The group, the binding and the project themselves stay.
    expect(await tuples({ resourceType: "role_binding", resourceId: `${project}|${role}` })).toEqual([`role_binding:${project}|${role}#role@role:${role}`]);
  });

  it("needs manage_members (or manage_admins for an admin), lets a member leave, 404s a non-member", async () => {
    const [owner, adam, adam2, mia, vic] = [uid("owner"), uid("adam"), uid("adam2"), uid("mia"), uid("vic")];
    const org = await newOrg(owner);
    await putMember(org, owner, adam, { role: "admin" });
    await putMember(org, owner, adam2, { role: "admin" });
    await putMember(org, owner, mia, { role: "member", scopes: { members: "full" } });
    await putMember(org, owner, vic, { role: "member" });

    const noRight = await server.call("DELETE", `/v1/orgs/${org}/members/${mia}`, as(vic));
    expect(noRight.status).toBe(403);
    const notAdmin = await server.call("DELETE", `/v1/orgs/${org}/members/${adam}`, as(mia));
    expect(notAdmin.status).toBe(403);
    expect(await orgTuplesOf(org, adam)).toContain(`organization:${org}#admin@user:${adam}`);
    expect((await server.call("DELETE", `/v1/orgs/${org}/members/${adam2}`, as(adam))).status).toBe(200);

    const leave = await server.call("DELETE", `/v1/orgs/${org}/members/${vic}`, as(vic));
    expect(leave.status).toBe(200);
    expect(await orgTuplesOf(org, vic)).toEqual([]);
    const again = await server.call("DELETE", `/v1/orgs/${org}/members/${vic}`, as(owner));
    expect(again.status).toBe(404);
    expect(again.body.code).toBe("not_found");
  });
});

describe("GET /v1/orgs/:org/members", () => {
  it("lists users with role and scopes, paginated by cursor, members only", async () => {
    const owner = `a${uid("owner")}`;
    const org = await newOrg(owner);
    const users = [uid("m1"), uid("m2"), uid("m3")].map((u) => `b${u}`);
    for (const u of users) await putMember(org, owner, u, { role: "member", scopes: { billing: "view" } });
    // A stale scope tuple of a non-member is not a member.
    await raw(`organization:${org}#projects_full@user:zed${uid("z")}`);

    const first = await server.call("GET", `/v1/orgs/${org}/members?limit=2`, as(owner));
    expect(first.status).toBe(200);
    expect(first.body.members).toHaveLength(2);
    expect(first.body.members[0]).toEqual({
      user: owner,
      role: "owner",
      scopes: { general: "view", integrations: "none", members: "none", projects: "none", billing: "none" },
      // Rule 16: the directory also gives project access and when the member joined.
      projects: [],
      joinedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(first.body.cursor).toBeTruthy();
    // A write between pages does not break the cursor.
    await putMember(org, owner, `c${uid("late")}`, { role: "member" });
    const second = await server.call("GET", `/v1/orgs/${org}/members?limit=2&cursor=${first.body.cursor}`, as(owner));
    expect(second.status).toBe(200);
    const third = await server.call("GET", `/v1/orgs/${org}/members?limit=2&cursor=${second.body.cursor}`, as(owner));
    expect(third.body.cursor).toBeUndefined();
    const all = [...first.body.members, ...second.body.members, ...third.body.members];
    expect(all).toHaveLength(5);
    expect(all.filter((m) => users.includes(m.user)).every((m) => m.role === "member" && m.scopes.billing === "view")).toBe(true);

    const badCursor = await server.call("GET", `/v1/orgs/${org}/members?cursor=%21%21`, as(owner));
    expect(badCursor.status).toBe(400);
    expect((await server.call("GET", `/v1/orgs/${org}/members`, as(uid("stranger")))).status).toBe(403);
  });
});

describe("seat limit", () => {
  it("refuses a new member once members reach the limit (409 seat_limit_reached); changes still pass", async () => {
    const [owner, mia, extra] = [uid("owner"), uid("mia"), uid("extra")];
    const org = await newOrg(owner);
    expect((await server.call("PATCH", `/v1/orgs/${org}`, { ...as(owner), body: { seatLimit: 2 } })).status).toBe(200);
    expect((await putMember(org, owner, mia, { role: "member" })).status).toBe(200);
    const full = await putMember(org, owner, extra, { role: "member" });
    expect(full.status).toBe(409);
    expect(full.body.code).toBe("seat_limit_reached");
    expect(await orgTuplesOf(org, extra)).toEqual([]);
    expect((await putMember(org, owner, mia, { role: "admin" })).status).toBe(200);
    expect((await server.call("PATCH", `/v1/orgs/${org}`, { ...as(owner), body: { seatLimit: null } })).status).toBe(200);
    expect((await putMember(org, owner, extra, { role: "member" })).status).toBe(200);
  });
});
