// Pins seat limits (rule 9): members plus pending invitations never exceed an organization's
// seatLimit (409 seat_limit_reached) — on invite and on direct add, under concurrency, across
// two replicas — until the limit is raised; answered and expired invitations free their seat.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/compose.js";
import { ApiKeyRing } from "../src/auth/api-keys.js";
import { createLogger } from "../src/logger.js";
import { KEYS, useTestServer, uid, type CallOptions, } from "./support/test-server.js";

const DAY = 86_400_000;
let clockShift = 0;
const now = () => new Date(Date.now() + clockShift);
const server = useTestServer({ now });

const as = (user: string): CallOptions => ({ key: "manage", actor: `user:${user}` });
const newOrg = async (owner: string, seatLimit: number) => {
  const id = uid("org");
  expect((await server.call("POST", "/v1/orgs", { ...as(owner), body: { id, seatLimit } })).status).toBe(201);
  return id;
};
const putMember = (org: string, actor: string, user: string) => server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(actor), body: { role: "member" } });
const invite = (org: string, actor: string, invitees: string[]) => server.call("POST", `/v1/orgs/${org}/invitations`, { ...as(actor), body: { invitees, role: "member" } });
const outcomes = (res: { body: { results: Array<{ status: string; error?: { code: string } }> } }) => res.body.results.map((r) => r.error?.code ?? r.status);
const members = async (org: string, owner: string) => {
  const res = await server.call("GET", `/v1/orgs/${org}/members?limit=1000`, as(owner));
  expect(res.status).toBe(200);
  return res.body.members.length as number;
};
const pending = async (org: string, owner: string) => {
  const res = await server.call("GET", `/v1/orgs/${org}/invitations?status=pending&limit=1000`, as(owner));
  expect(res.status).toBe(200);
  return res.body.invitations as Array<{ id: string; invitee: string }>;
};

describe("seat limits", () => {
  it("counts pending invitations on invite and on direct add, frees seats when invitations end, until the limit is raised", async () => {
    const owner = uid("owner");
    const [a, b, c, d, e] = [uid("a"), uid("b"), uid("c"), uid("d"), uid("e")];
    const org = await newOrg(owner, 3);
    // The owner holds one seat: two invitations fit, the third does not.
    const sent = await invite(org, owner, [a, b, c]);
    expect(outcomes(sent)).toEqual(["invited", "invited", "seat_limit_reached"]);
    expect(sent.body.results[2].error.status).toBe(409);
    const direct = await putMember(org, owner, d);
    expect([direct.status, direct.body.code]).toEqual([409, "seat_limit_reached"]);
    expect(await members(org, owner)).toBe(1);

    // Declining frees a seat; accepting uses the seat the invitation held (no second one).
    const [forA, forB] = sent.body.results.map((r: { invitation?: { id: string } }) => r.invitation?.id) as [string, string];
    expect((await server.call("POST", `/v1/invitations/${forA}/decline`, as(a))).status).toBe(200);
    expect((await putMember(org, owner, d)).status).toBe(200);
    expect((await server.call("POST", `/v1/invitations/${forB}/accept`, as(b))).status).toBe(200);
    expect(await members(org, owner)).toBe(3);
    expect(outcomes(await invite(org, owner, [e]))).toEqual(["seat_limit_reached"]);

    // Raising the limit (PATCH, billing) lets the next one in.
    expect((await server.call("PATCH", `/v1/orgs/${org}`, { ...as(owner), body: { seatLimit: 4 } })).status).toBe(200);
    expect(outcomes(await invite(org, owner, [e, c]))).toEqual(["invited", "seat_limit_reached"]);
  });

  it("an expired invitation frees its seat; a direct add of an invited user uses their seat and supersedes the invitation", async () => {
    const owner = uid("owner");
    const [a, b] = [uid("a"), uid("b")];
    const org = await newOrg(owner, 2);
    expect(outcomes(await invite(org, owner, [a]))).toEqual(["invited"]);
    expect(outcomes(await invite(org, owner, [b]))).toEqual(["seat_limit_reached"]);
    clockShift = 7 * DAY + 1000;
    try {
      expect(outcomes(await invite(org, owner, [b]))).toEqual(["invited"]);
      // a's invitation has expired and holds nothing; b's holds the last seat: adding b
      // directly passes (no second seat) and supersedes b's invitation.
      expect((await putMember(org, owner, a)).body.code).toBe("seat_limit_reached");
      expect((await putMember(org, owner, b)).status).toBe(200);
      expect(await pending(org, owner)).toEqual([]);
      const ended = await server.call("GET", `/v1/orgs/${org}/invitations?status=revoked`, as(owner));
      expect(ended.body.invitations.map((i: { invitee: string }) => i.invitee)).toEqual([`user:${b}`]);
    } finally {
      clockShift = 0;
    }
  });

  it("20 invitations in parallel at a limit of 5 never overshoot", async () => {
    const owner = uid("owner");
    const org = await newOrg(owner, 5);
    const results = await Promise.all(Array.from({ length: 20 }, () => invite(org, owner, [uid("u")])));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const all = results.flatMap(outcomes);
    expect(all.filter((o) => o === "invited")).toHaveLength(4);
    expect(all.filter((o) => o === "seat_limit_reached")).toHaveLength(16);
    expect(await pending(org, owner)).toHaveLength(4);
    expect((await putMember(org, owner, uid("late"))).status).toBe(409);
  });

  it("parallel invitations and direct adds together stay within the limit", async () => {
    const owner = uid("owner");
    const org = await newOrg(owner, 5);
    const attempts = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? invite(org, owner, [uid("i")]) : putMember(org, owner, uid("m"))));
    await Promise.all(attempts);
    expect((await members(org, owner)) + (await pending(org, owner)).length).toBe(5);
  });

  it("two replicas (separate in-process locks) cannot overshoot either: the store counts in the insert", async () => {
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
      const owner = uid("owner");
      const org = await newOrg(owner, 5);
      const viaReplica = (invitee: string) =>
        fetch(`${url}/v1/orgs/${org}/invitations`, {
          method: "POST",
          headers: { authorization: `Bearer ${KEYS.manage}`, "x-actor": `user:${owner}`, "content-type": "application/json" },
          body: JSON.stringify({ invitees: [invitee], role: "member" }),
        }).then(async (r) => ({ body: await r.json() }));
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? invite(org, owner, [uid("u")]) : viaReplica(uid("r")))));
      expect(results.flatMap(outcomes).filter((o) => o === "invited")).toHaveLength(4);
      expect(await pending(org, owner)).toHaveLength(4);
    } finally {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});
