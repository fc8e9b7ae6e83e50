// Pins the client's read-your-writes across Accord replicas in remote mode: two replicas (each
// with its own check cache, kept by its own watch) over one engine and one PostgreSQL, behind a
// round-robin balancer, so every check lands on the replica that did not take the write before
// it. The client sends each write's zedToken as atLeastAsFresh and is never stale. Also a real
// engine outage: checks are retried after Retry-After until the engine is back; writes are not.
// Needs PostgreSQL (skips with a message without it); test:spicedb runs the same on real SpiceDB
// (test/spicedb/client-replicas.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccordError, createAccordClient } from "../../packages/client/src/index.js";
import { DEFAULT_CHECK_PATH } from "../../src/config.js";
import { buildCheckPath } from "../../src/engine/cache/fast-check-path.js";
import { startRemoteBackends, type RemoteBackends } from "../remote/remote-backends.js";
import { startReplica, type Replica } from "../remote/remote-app.js";
import { postgresAvailable, SKIP_MESSAGE } from "../store/postgres-test-database.js";
import { recordFigure } from "../support/figures.js";
import { KEYS, uid } from "../support/test-server.js";
import { startRoundRobin, type RoundRobin } from "./round-robin.js";
import { tracked, writeThenCheck } from "./write-then-check.js";

const available = await postgresAvailable();
if (!available) console.warn(`client read-your-writes across replicas skipped: ${SKIP_MESSAGE}`);

describe.skipIf(!available)("read-your-writes across two replicas behind a round-robin balancer", () => {
  let backends: RemoteBackends;
  let replicas: Replica[];
  let balancer: RoundRobin;

  beforeAll(async () => {
    backends = await startRemoteBackends();
    replicas = [];
    for (let i = 0; i < 2; i++) {
      const { engine } = buildCheckPath(await backends.remoteEngine(), DEFAULT_CHECK_PATH);
      replicas.push(await startReplica(engine, await backends.postgresStore()));
    }
    balancer = await startRoundRobin(replicas.map((r) => r.url));
  });
  afterAll(async () => {
    await balancer?.close();
    for (const replica of replicas ?? []) await replica.close();
    await backends?.close();
  });

  it("grant and revoke 60 times: each check, on the other replica, carries the write's token and is never stale", async () => {
    const rounds = 60;
    const { stale, controlStale, crossed, checks } = await writeThenCheck(balancer, rounds);
    expect(checks).toBe(rounds);
    expect(crossed).toBe(rounds);
    expect(stale).toBe(0);
    recordFigure("client-read-your-writes", `client through a round-robin balancer over 2 remote-mode replicas: ${rounds} write→check pairs on different replicas, ${stale} stale with the client's token; ${controlStale} stale without it at minimize_latency`, "remote");
  });

  it("every check after a write asks for at least the write's token; a token handed to another client works the same", async () => {
    const [resource, bob] = [`resource:${uid("r")}`, `user:${uid("bob")}`];
    const writer = createAccordClient({ baseUrl: balancer.url, apiKey: KEYS.admin });
    const written = await writer.relationships.write({ updates: [{ operation: "touch", relationship: `${resource}#viewer@${bob}` }] });
    const tokenOfWrite = written.zedToken as string;
    expect(typeof tokenOfWrite).toBe("string");

    const { client: sameClient, checks: sent } = tracked(balancer.url, KEYS.admin);
    sameClient.observeZedToken(tokenOfWrite);
    expect((await sameClient.check({ resource, permission: "view", subject: bob })).allowed).toBe(true);
    expect(sent.at(-1)!.consistency).toEqual({ atLeastAsFresh: tokenOfWrite });

    // Another service receives the token (e.g. in a header) and opens a session from it.
    const { client: other, checks: otherSent } = tracked(balancer.url, KEYS.check);
    const request = other.session({ zedToken: tokenOfWrite });
    expect((await request.check({ resource, permission: "view", subject: bob })).allowed).toBe(true);
    expect(otherSent.at(-1)!.consistency).toEqual({ atLeastAsFresh: tokenOfWrite });
    // The client itself has seen no write: its own checks carry no token.
    await other.check({ resource, permission: "view", subject: bob });
    expect(otherSent.at(-1)!.consistency).toBeUndefined();
    // An explicit consistency wins over the kept token.
    await request.check({ resource, permission: "view", subject: bob, consistency: "full" });
    expect(otherSent.at(-1)!.consistency).toBe("full");
  });

  it("engine down: a check is retried after Retry-After and answered once it is back; a write fails at once with 503", async () => {
    const accord = createAccordClient({ baseUrl: balancer.url, apiKey: KEYS.admin, actor: `user:${uid("olivia")}`, timeoutMs: 20_000, retry: { retries: 15 } });
    await backends.stopEngine();
    let restarted = false;
    try {
      const write = (await accord.orgs.create({ id: uid("org") }).catch((err: unknown) => err)) as AccordError;
      expect(write).toBeInstanceOf(AccordError);
      expect(write.status).toBe(503);
      expect(write.code).toBe("engine_unavailable");
      expect(write.retryAfterSeconds).toBeGreaterThan(0);
      setTimeout(() => {
        restarted = true;
        void backends.startEngine();
      }, 500);
      const answer = await accord.check({ resource: `resource:${uid("r")}`, permission: "view", subject: "user:nobody" });
      expect(restarted).toBe(true);
      expect(answer.allowed).toBe(false);
    } finally {
      await backends.startEngine();
    }
  });
});
