// Pins the organization contract: POST/GET/PATCH/DELETE /v1/orgs — the creator is owner,
// ids are taken once (even under concurrent creates), settings need the billing scope, and
// deleting an organization (owners only) removes its groups, roles, projects and resources.
import { describe, expect, it } from "vitest";
import { useTestServer, uid, } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();

const { as, allowed, tuples, raw, newOrg } = productCalls(() => server);
const putMember = (org: string, actor: string, user: string, body: unknown) => server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(actor), body });

describe("POST /v1/orgs", () => {
  it("creates the organization with the actor as owner (201) and stores its settings", async () => {
    const [olivia, id] = [uid("olivia"), uid("org")];
    const res = await server.call("POST", "/v1/orgs", { ...as(olivia), body: { id, name: "Acme", seatLimit: 10 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id, name: "Acme", seatLimit: 10 });
    expect(res.body.zedToken).toBeTruthy();
    expect(await tuples({ resourceType: "organization", resourceId: id })).toEqual([
      `organization:${id}#general_view@user:${olivia}`,
      `organization:${id}#owner@user:${olivia}`,
    ]);
    expect(await allowed(`organization:${id}`, "delete", `user:${olivia}`)).toBe(true);
    expect(await allowed(`organization:${id}`, "manage_owners", `user:${olivia}`)).toBe(true);
    const got = await server.call("GET", `/v1/orgs/${id}`, as(olivia));
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id, name: "Acme", seatLimit: 10 });
  });

  it("refuses a taken id (409 already_exists) and writes nothing for the second actor", async () => {
    const [olivia, mallory] = [uid("olivia"), uid("mallory")];
    const id = await newOrg(olivia);
    const res = await server.call("POST", "/v1/orgs", { ...as(mallory), body: { id } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("already_exists");
    expect(await tuples({ subjectType: "user", subjectId: mallory })).toEqual([]);
  });

  it("two concurrent creates of one id: exactly one wins, one owner", async () => {
    const id = uid("org");
    const actors = [uid("a"), uid("b"), uid("c"), uid("d")];
    const results = await Promise.all(actors.map((a) => server.call("POST", "/v1/orgs", { ...as(a), body: { id } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await tuples({ resourceType: "organization", resourceId: id, relation: "owner" })).toHaveLength(1);
  });

  it("validates input: 400 naming the field; needs the manage scope and an actor", async () => {
    const actor = uid("u");
    const badId = await server.call("POST", "/v1/orgs", { ...as(actor), body: { id: "no spaces" } });
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ code: "invalid_request", field: "id" });
    const badLimit = await server.call("POST", "/v1/orgs", { ...as(actor), body: { id: uid("org"), seatLimit: 0 } });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.field).toBe("seatLimit");
    const extra = await server.call("POST", "/v1/orgs", { ...as(actor), body: { id: uid("org"), owner: "user:x" } });
    expect(extra.status).toBe(400);
    const noActor = await server.call("POST", "/v1/orgs", { key: "manage", body: { id: uid("org") } });
    expect(noActor.status).toBe(400);
    expect(noActor.body.field).toBe("header.x-actor");
    expect((await server.call("POST", "/v1/orgs", { key: "check", actor: `user:${actor}`, body: { id: uid("org") } })).status).toBe(403);
    expect((await server.call("POST", "/v1/orgs", { key: null, actor: `user:${actor}`, body: { id: uid("org") } })).status).toBe(401);
  });
});

describe("GET /v1/orgs/:org", () => {
  it("answers members (org view), 403 to others, 404 for an unknown organization", async () => {
    const [owner, mia] = [uid("owner"), uid("mia")];
    const org = await newOrg(owner, { name: "Globex" });
    await putMember(org, owner, mia, { role: "member", scopes: { general: "none" } });
    const got = await server.call("GET", `/v1/orgs/${org}`, as(mia));
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: org, name: "Globex", seatLimit: null });
    const stranger = await server.call("GET", `/v1/orgs/${org}`, as(uid("stranger")));
    expect(stranger.status).toBe(403);
    expect(stranger.body.code).toBe("forbidden");
    const unknown = await server.call("GET", `/v1/orgs/${uid("nope")}`, as(owner));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("not_found");
  });
});

describe("PATCH /v1/orgs/:org", () => {
  it("needs manage_billing: billing=full may change settings, billing=view may not (nothing changes)", async () => {
    const [owner, payer, viewer] = [uid("owner"), uid("payer"), uid("viewer")];
    const org = await newOrg(owner, { name: "Before" });
    await putMember(org, owner, payer, { role: "member", scopes: { billing: "full" } });
    await putMember(org, owner, viewer, { role: "member", scopes: { billing: "view", general: "full" } });

    const denied = await server.call("PATCH", `/v1/orgs/${org}`, { ...as(viewer), body: { name: "Hijacked", seatLimit: 1 } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("forbidden");
    expect((await server.call("GET", `/v1/orgs/${org}`, as(owner))).body).toMatchObject({ name: "Before", seatLimit: null });

    const ok = await server.call("PATCH", `/v1/orgs/${org}`, { ...as(payer), body: { seatLimit: 25 } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: org, name: "Before", seatLimit: 25 });
    expect(ok.body.zedToken).toBeTruthy();
    const renamed = await server.call("PATCH", `/v1/orgs/${org}`, { ...as(owner), body: { name: "After", seatLimit: null } });
    expect(renamed.status).toBe(200);
    expect((await server.call("GET", `/v1/orgs/${org}`, as(payer))).body).toMatchObject({ name: "After", seatLimit: null });
  });

  it("validates: seatLimit is a positive integer or null; an empty change is 400", async () => {
    const owner = uid("owner");
    const org = await newOrg(owner);
    for (const body of [{ seatLimit: -1 }, { seatLimit: 2.5 }, { seatLimit: "10" }, {}, { name: "" }, { plan: "scale" }]) {
      const res = await server.call("PATCH", `/v1/orgs/${org}`, { ...as(owner), body });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("invalid_request");
    }
    expect((await server.call("PATCH", `/v1/orgs/${uid("nope")}`, { ...as(owner), body: { seatLimit: 3 } })).status).toBe(404);
  });
});

describe("DELETE /v1/orgs/:org", () => {
  it("owners only: an admin gets 403 and nothing is removed", async () => {
    const [owner, adam] = [uid("owner"), uid("adam")];
    const org = await newOrg(owner);
    await putMember(org, owner, adam, { role: "admin" });
    const before = await tuples({ resourceType: "organization", resourceId: org });
    const res = await server.call("DELETE", `/v1/orgs/${org}`, as(adam));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("forbidden");
    expect(await tuples({ resourceType: "organization", resourceId: org })).toEqual(before);
  });

  it("removes every relationship naming the org, its groups, roles, projects and their resources", async () => {
    const [owner, mia, outsider] = [uid("owner"), uid("mia"), uid("out")];
    const org = await newOrg(owner, { name: "Doomed" });
    const keep = await newOrg(outsider);
    const [group, role, project, resource, foreign] = [uid("g"), uid("role"), uid("p"), uid("r"), uid("p")];
    await putMember(org, owner, mia, { role: "member" });
    expect((await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(owner), body: { id: group } })).status).toBe(201);
    expect((await server.call("PUT", `/v1/groups/${group}/members/user:${mia}`, as(owner))).status).toBe(200);
    expect((await server.call("POST", `/v1/orgs/${org}/roles`, { ...as(owner), body: { id: role, name: "R", permissions: ["view"] } })).status).toBe(201);
    await raw(
      `project:${project}#organization@organization:${org}`,
      `project:${project}#admin@user:${owner}`,
      `project:${project}#viewer@group:${group}#member`,
      `project:${project}#binding@role_binding:${project}|${role}`,
      `role_binding:${project}|${role}#role@role:${role}`,
      `role_binding:${project}|${role}#holder@user:${mia}`,
      `resource:${resource}#project@project:${project}`,
      `resource:${resource}#viewer@user:${mia}`,
      // A project of another organization stays.
      `project:${foreign}#organization@organization:${keep}`,
      `project:${foreign}#viewer@user:${mia}`,
    );

    const res = await server.call("DELETE", `/v1/orgs/${org}`, as(owner));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: org, removed: 16 });
    expect(res.body.zedToken).toBeTruthy();
    for (const [type, id] of [["organization", org], ["group", group], ["role", role], ["project", project], ["resource", resource], ["role_binding", `${project}|${role}`]]) {
      expect(await tuples({ resourceType: type!, resourceId: id! })).toEqual([]);
    }
    expect(await tuples({ subjectType: "user", subjectId: mia })).toEqual([`project:${foreign}#viewer@user:${mia}`]);
    expect(await allowed(`resource:${resource}`, "view", `user:${mia}`)).toBe(false);
    expect((await server.call("GET", `/v1/orgs/${org}`, as(owner))).status).toBe(404);
    expect((await server.call("GET", `/v1/orgs/${keep}`, as(outsider))).status).toBe(200);
    // The id is free again, without the old name.
    const again = await server.call("POST", "/v1/orgs", { ...as(mia), body: { id: org } });
    expect(again.status).toBe(201);
    expect(again.body.name).toBeNull();
  });
});
