// Pins replicas and zedTokens on the real cluster (npm run cluster's code): 3 Accord replicas
// over 2 SpiceDB nodes on SpiceDB's PostgreSQL (the replicas' app state in another). A replica's
// own writes are proven exact at once, so checks after them are answered from memory. A write through one replica, then a check carrying
// its zedToken through another, is never stale; two replicas racing for the last seat (direct
// adds, or accepting invitations after the limit was lowered) let exactly one win, and the
// seat count and the relationships agree afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../tools/cluster/cluster.js";
import { startTestCluster } from "./test-cluster.js";
import { uid, type CallOptions } from "../support/test-server.js";
import { callJson } from "../remote/remote-app.js";
import { recordFigure } from "../support/figures.js";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startTestCluster({ spicedbNodes: 2, replicas: 3 });
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
});

const on = (replica: number) => (method: string, path: string, options?: CallOptions) => callJson(cluster.replicas[replica]!.url, method, path, options);
const as = (user: string) => ({ key: "manage" as const, actor: `user:${user}` });

describe("3 replicas over 2 SpiceDB nodes", () => {
  it("1,000 interleaved writes and checks across replicas: a check with the write's zedToken is never stale", async () => {
    const lanes = 8;
    const perLane = 125;
    let stale = 0;
    let checks = 0;
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        // Each lane toggles the grants of its own five resources, write after write.
        const resources = Array.from({ length: 5 }, () => `resource:${uid("r")}`);
        const granted = resources.map(() => false);
        const user = `user:${uid("u")}`;
        for (let i = 0; i < perLane; i++) {
          const at = i % resources.length;
          const grant = !granted[at];
          const writer = (lane + i) % 3;
          const reader = (writer + 1 + (i % 2)) % 3;
          const write = await on(writer)("POST", "/v1/relationships", {
            body: { updates: [{ operation: grant ? "touch" : "delete", relationship: `${resources[at]}#viewer@${user}` }] },
          });
          expect(write.status, JSON.stringify(write.body)).toBe(200);
          granted[at] = grant;
          const check = await on(reader)("POST", "/v1/check", {
            key: "check",
            body: { resource: resources[at], permission: "view", subject: user, consistency: { atLeastAsFresh: write.body.zedToken } },
          });
          expect(check.status, JSON.stringify(check.body)).toBe(200);
          checks += 1;
          if (check.body.allowed !== grant) stale += 1;
        }
      }),
    );
    recordFigure("replicas-zedtokens", `3 replicas over 2 SpiceDB nodes: ${checks} write→check pairs across replicas, ${stale} stale`, "spicedb");
    expect(checks).toBe(lanes * perLane);
    expect(stale).toBe(0);
  });

  it("a replica's own writes are proven exact at once (SpiceDB's PostgreSQL is its own): checks after them are answered from memory without waiting for the watch, and stay exact", async () => {
    const call = on(0);
    const figure = async (name: string) => {
      const text = (await call("GET", "/metrics", { key: "check" })).body as string;
      return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    };
    const [resource, user] = [`resource:${uid("r")}`, `user:${uid("u")}`];
    const check = async () => {
      const res = await call("POST", "/v1/check", { key: "check", body: { resource, permission: "view", subject: user } });
      expect(res.status).toBe(200);
      return res.body.allowed as boolean;
    };
    const write = async (operation: "touch" | "delete", relationship: string) => {
      const res = await call("POST", "/v1/relationships", { body: { updates: [{ operation, relationship }] } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await write("touch", `${resource}#viewer@${user}`);
    expect(await check()).toBe(true);
    const before = await figure("accord_check_cache_own_writes_proven_total");
    expect(before).toBeGreaterThanOrEqual(0);
    // Writes that change nothing this check reads, each followed at once by the check (at the write's token, the default).
    let writes = 0;
    while ((await figure("accord_check_cache_own_writes_proven_total")) === before && writes < 20) {
      await write("touch", `resource:${uid("other")}#viewer@${user}`);
      writes += 1;
      expect(await check()).toBe(true);
    }
    const proven = (await figure("accord_check_cache_own_writes_proven_total")) - before;
    recordFigure("replicas-own-writes-proven", `a replica's own writes on the cluster topology (SpiceDB's PostgreSQL its own): ${proven} of ${writes} write(s) proven at once`, "spicedb");
    expect(proven).toBeGreaterThanOrEqual(1);
    // A write that changes the answer: the next check, at its token, is exact.
    await write("delete", `${resource}#viewer@${user}`);
    expect(await check()).toBe(false);
    await write("touch", `${resource}#viewer@${user}`);
    expect(await check()).toBe(true);
  });

  it("a product change through one replica is seen at once by product calls through the others (no zedToken to hand over)", async () => {
    for (let round = 0; round < 10; round++) {
      const [owner, member, org, project, doc] = [uid("owner"), uid("m"), uid("org"), uid("p"), uid("doc")];
      const step = (replica: number, method: string, path: string, body?: unknown) => on(replica)(method, path, { ...as(owner), ...(body ? { body } : {}) });
      expect((await step(round % 3, "POST", "/v1/orgs", { id: org })).status).toBe(201);
      const read = await step((round + 1) % 3, "GET", `/v1/orgs/${org}`);
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect((await step((round + 2) % 3, "PUT", `/v1/orgs/${org}/members/${member}`, { role: "member" })).status).toBe(200);
      expect((await step(round % 3, "POST", "/v1/projects", { id: project, owner: `organization:${org}` })).status).toBe(201);
      const registered = await step((round + 1) % 3, "PUT", `/v1/resources/${doc}`, { project });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      const granted = await step((round + 2) % 3, "PUT", `/v1/projects/${project}/members/user:${member}`, { role: "viewer" });
      expect(granted.status, JSON.stringify(granted.body)).toBe(200);
      const members = await step(round % 3, "GET", `/v1/projects/${project}/members`);
      expect(members.body.members.map((m: { subject: string }) => m.subject)).toContain(`user:${member}`);
    }
  });

  it("two replicas adding a member for the last free seat at once: exactly one wins", async () => {
    for (let round = 0; round < 3; round++) {
      const owner = uid("owner");
      const org = uid("org");
      expect((await on(0)("POST", "/v1/orgs", { ...as(owner), body: { id: org, seatLimit: 2 } })).status).toBe(201);
      const [a, b] = [uid("a"), uid("b")];
      const results = await Promise.all([
        on(1)("PUT", `/v1/orgs/${org}/members/${a}`, { ...as(owner), body: { role: "member" } }),
        on(2)("PUT", `/v1/orgs/${org}/members/${b}`, { ...as(owner), body: { role: "member" } }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)!.body.code).toBe("seat_limit_reached");
      await expectSeatsAgree(org, owner, 2, results[0]!.status === 200 ? 1 : 2);
    }
  });

  it("two replicas accepting invitations for the last free seat at once (limit lowered since): exactly one wins", async () => {
    for (let round = 0; round < 3; round++) {
      const owner = uid("owner");
      const org = uid("org");
      expect((await on(0)("POST", "/v1/orgs", { ...as(owner), body: { id: org, seatLimit: 3 } })).status).toBe(201);
      const [a, b] = [uid("a"), uid("b")];
      const sent = await on(0)("POST", `/v1/orgs/${org}/invitations`, { ...as(owner), body: { invitees: [a, b], role: "member" } });
      expect(sent.status).toBe(200);
      const ids: string[] = sent.body.results.map((r: { invitation: { id: string } }) => r.invitation.id);
      // Owner + two pending fill 3 seats; the limit drops to 2: one acceptance still fits.
      expect((await on(0)("PATCH", `/v1/orgs/${org}`, { ...as(owner), body: { seatLimit: 2 } })).status).toBe(200);
      const results = await Promise.all([
        on(1)("POST", `/v1/invitations/${ids[0]}/accept`, as(a)),
        on(2)("POST", `/v1/invitations/${ids[1]}/accept`, as(b)),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const loser = results.findIndex((r) => r.status === 409);
      expect(results[loser]!.body.code).toBe("seat_limit_reached");
      const members = await expectSeatsAgree(org, owner, 2, loser === 0 ? 2 : 1);
      expect(members).toContain(loser === 0 ? b : a);
      // The loser's invitation is still pending (its claim was released), and grants nothing.
      const pending = await on(0)("GET", `/v1/orgs/${org}/invitations?status=pending`, as(owner));
      expect(pending.status, JSON.stringify(pending.body)).toBe(200);
      expect(pending.body.invitations.map((i: { id: string }) => i.id)).toEqual([ids[loser]]);
      const loserCheck = await on(1)("POST", "/v1/check", { key: "check", body: { resource: `organization:${org}`, permission: "view", subject: `user:${loser === 0 ? a : b}`, consistency: "full" } });
      expect(loserCheck.body.allowed).toBe(false);
    }
    recordFigure("seat-race", "two replicas accepting invitations for the last free seat at once, 3 rounds: each round exactly one 200 and one 409 seat_limit_reached; seat count, member directory, relationships and checks agree afterwards", "spicedb");
  });
});

/** expectSeatsAgree: the member directory, the raw role relationships and checks name the same users. */
async function expectSeatsAgree(org: string, owner: string, expected: number, via: number): Promise<string[]> {
  // The directory is read on the replica that made the last change (read-your-writes there).
  const listed = await on(via)("GET", `/v1/orgs/${org}/members`, as(owner));
  expect(listed.status).toBe(200);
  const directory: string[] = listed.body.members.map((m: { user: string }) => m.user.replace(/^user:/, "")).sort();
  const raw = await on(0)("GET", `/v1/relationships?${new URLSearchParams({ resourceType: "organization", resourceId: org, limit: "100", consistency: "full" })}`);
  const holders = new Set<string>();
  for (const r of raw.body.relationships as Array<{ relationship: string } | string>) {
    const text = typeof r === "string" ? r : r.relationship;
    const match = /#(owner|admin|member)@user:(.+)$/.exec(text);
    if (match) holders.add(match[2]!);
  }
  expect([...holders].sort()).toEqual(directory);
  expect(directory).toHaveLength(expected);
  for (const user of directory) {
    const check = await on(2)("POST", "/v1/check", { key: "check", body: { resource: `organization:${org}`, permission: "view", subject: `user:${user}`, consistency: "full" } });
    expect(check.body.allowed).toBe(true);
  }
  return directory;
}
