// Pins rule 16, the member directory and seats: GET /v1/orgs/:org/members (paged) gives
// {user, email?, role, scopes, projects: [{project, role}], joinedAt} — joinedAt recorded when a
// user joins (creation, direct add, acceptance), the e-mail from an accepted e-mail invitation —
// and GET /v1/orgs/:org gives seats {limit, members, pending, available}.
import { describe, expect, it } from "vitest";
import { useTestServer, uid } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();
const { as, raw, newOrg } = productCalls(() => server);

const putMember = (org: string, actor: string, user: string, body: unknown = { role: "member" }) => server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(actor), body });
const directory = async (org: string, actor: string, query = "") => {
  const res = await server.call("GET", `/v1/orgs/${org}/members${query}`, as(actor));
  expect(res.status).toBe(200);
  return res.body as { members: Array<Record<string, unknown> & { user: string }>; cursor?: string };
};
const seats = async (org: string, actor: string) => (await server.call("GET", `/v1/orgs/${org}`, as(actor))).body.seats;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("GET /v1/orgs/:org/members", () => {
  it("gives each member's e-mail, role, scopes, project roles and when they joined", async () => {
    const [owner, bob, dana] = [`a${uid("own")}`, `b${uid("bob")}`, `c${uid("dana")}`];
    const email = `${dana}@example.com`;
    const t0 = Date.now();
    const org = await newOrg(owner);
    const p = uid("p");
    expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id: p, owner: `organization:${org}` } })).status).toBe(201);
    expect((await putMember(org, owner, bob, { role: "admin" })).status).toBe(200);
    expect((await server.call("PUT", `/v1/projects/${p}/members/user:${bob}`, { ...as(owner), body: { role: "viewer" } })).status).toBe(200);
    const sent = await server.call("POST", `/v1/orgs/${org}/invitations`, { ...as(owner), body: { invitees: [email], role: "member", scopes: { members: "view" }, projects: [{ project: p, role: "editor" }] } });
    expect((await server.call("POST", `/v1/invitations/${sent.body.results[0].invitation.id}/accept`, { ...as(dana), headers: { "x-actor-email": email } })).status).toBe(200);

    const { members } = await directory(org, owner);
    expect(members.map((m) => m.user)).toEqual([owner, bob, dana]);
    const [o, b, d] = members as unknown as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(o).toEqual({ user: owner, role: "owner", scopes: expect.objectContaining({ general: "view" }), projects: [{ project: p, role: "admin" }], joinedAt: expect.stringMatching(ISO) });
    expect(b).toEqual({ user: bob, role: "admin", scopes: expect.any(Object), projects: [{ project: p, role: "viewer" }], joinedAt: expect.stringMatching(ISO) });
    expect(d).toEqual({
      user: dana,
      email,
      role: "member",
      scopes: { general: "view", integrations: "none", members: "view", projects: "none", billing: "none" },
      projects: [{ project: p, role: "editor" }],
      joinedAt: expect.stringMatching(ISO),
    });
    for (const m of members) {
      const at = Date.parse(m.joinedAt as string);
      expect(at).toBeGreaterThanOrEqual(t0 - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    }
    expect(Date.parse(o.joinedAt as string)).toBeLessThanOrEqual(Date.parse(b.joinedAt as string));
    expect(Date.parse(b.joinedAt as string)).toBeLessThanOrEqual(Date.parse(d.joinedAt as string));
    // Members with view_members see it; others do not.
    expect((await directory(org, dana)).members).toHaveLength(3);
    expect((await server.call("GET", `/v1/orgs/${org}/members`, as(uid("stranger")))).status).toBe(403);
  });

  it("forgets a removed member's record: someone who joins again joins anew, and members written raw show joinedAt null", async () => {
    const [owner, max] = [`a${uid("own")}`, `b${uid("max")}`];
    const org = await newOrg(owner);
    await putMember(org, owner, max);
    const first = (await directory(org, owner)).members.find((m) => m.user === max)!.joinedAt as string;
    const removeMax = async () => expect((await server.call("DELETE", `/v1/orgs/${org}/members/${max}`, as(owner))).status).toBe(200);
    await removeMax();
    expect((await directory(org, owner)).members.map((m) => m.user)).toEqual([owner]);
    // Back by a raw write, not by joining: nothing records when, the old record is gone.
    await raw(`organization:${org}#member@user:${max}`);
    expect((await directory(org, owner)).members.find((m) => m.user === max)).toEqual({ user: max, role: "member", scopes: expect.any(Object), projects: [], joinedAt: null });
    await removeMax();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await putMember(org, owner, max);
    const second = (await directory(org, owner)).members.find((m) => m.user === max)!.joinedAt as string;
    expect(Date.parse(second)).toBeGreaterThan(Date.parse(first));
  });

  it("pages by user id, each page with its members' projects", async () => {
    const owner = `a${uid("own")}`;
    const org = await newOrg(owner);
    const p = uid("p");
    await server.call("POST", "/v1/projects", { ...as(owner), body: { id: p, owner: `organization:${org}` } });
    const users = [1, 2, 3, 4].map((n) => `b${n}${uid("u")}`);
    for (const u of users) {
      await putMember(org, owner, u);
      await server.call("PUT", `/v1/projects/${p}/members/user:${u}`, { ...as(owner), body: { role: "guest" } });
    }
    const first = await directory(org, owner, "?limit=2");
    const second = await directory(org, owner, `?limit=2&cursor=${first.cursor}`);
    const third = await directory(org, owner, `?limit=2&cursor=${second.cursor}`);
    expect(third.cursor).toBeUndefined();
    const all = [...first.members, ...second.members, ...third.members];
    expect(all.map((m) => m.user)).toEqual([owner, ...users]);
    expect(all.slice(1).every((m) => JSON.stringify(m.projects) === JSON.stringify([{ project: p, role: "guest" }]))).toBe(true);
  });
});

describe("GET /v1/orgs/:org seats", () => {
  it("counts members and pending invitations against the limit, and what is still available", async () => {
    const [owner, mia] = [uid("own"), uid("mia")];
    const org = await newOrg(owner, { seatLimit: 4 });
    expect(await seats(org, owner)).toEqual({ limit: 4, members: 1, pending: 0, available: 3 });
    await putMember(org, owner, mia, { role: "member", scopes: { general: "none" } });
    const sent = await server.call("POST", `/v1/orgs/${org}/invitations`, { ...as(owner), body: { invitees: [uid("x"), `${uid("y")}@example.com`], role: "member" } });
    expect(sent.body.invited).toBe(2);
    // Any member sees the seats (organization view), without the general scope.
    expect(await seats(org, mia)).toEqual({ limit: 4, members: 2, pending: 2, available: 0 });
    const full = await server.call("POST", `/v1/orgs/${org}/invitations`, { ...as(owner), body: { invitees: [uid("z")], role: "member" } });
    expect(full.body.results[0].error.code).toBe("seat_limit_reached");
    const revoked = await server.call("DELETE", `/v1/invitations/${sent.body.results[0].invitation.id}`, as(owner));
    expect(revoked.status).toBe(200);
    expect(await seats(org, owner)).toEqual({ limit: 4, members: 2, pending: 1, available: 1 });
    expect((await server.call("PATCH", `/v1/orgs/${org}`, { ...as(owner), body: { seatLimit: null } })).status).toBe(200);
    expect(await seats(org, owner)).toEqual({ limit: null, members: 2, pending: 1, available: null });
    // A lowered limit never shows negative availability.
    expect((await server.call("PATCH", `/v1/orgs/${org}`, { ...as(owner), body: { seatLimit: 1 } })).status).toBe(200);
    expect(await seats(org, owner)).toEqual({ limit: 1, members: 2, pending: 1, available: 0 });
  });
});
