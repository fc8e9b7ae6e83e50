// Pins the client's batching against a real Accord, counted by the server's own request
// counters (/metrics): checks issued together (one tick, or one event-loop turn) become one
// POST /v1/check/bulk, at most
// maxBatchSize items each, identical questions asked once, and every caller gets its own answer
// or its own error — an item error, an invalid item (the rest asked again), or a user token's
// refusal to answer about others (single checks then).
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccordError, createAccordClient } from "../../packages/client/src/index.js";
import { JwtVerifier } from "../../src/auth/jwt-verifier.js";
import { KEYS, startTestServer, uid, type TestServer } from "../support/test-server.js";

const SECRET = "a-client-batching-secret-long-enough-0123456789";
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ jwt: new JwtVerifier({ secret: SECRET, issuer: "https://issuer.test", audience: "accord" }) });
});
afterAll(async () => {
  await server?.close();
});

/** counters reads the server's request counters for the check routes and its checks answered. */
async function counters(): Promise<{ single: number; bulk: number; bulkRejected: number; checks: number }> {
  const res = await server.call("GET", "/metrics", { key: "check" });
  expect(res.status).toBe(200);
  const text = res.body as string;
  const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);
  return {
    single: sum(/^accord_http_requests_total\{[^}]*route="\/v1\/check"[^}]*\} (\d+)/gm),
    bulk: sum(/^accord_http_requests_total\{[^}]*route="\/v1\/check\/bulk"[^}]*status="200"[^}]*\} (\d+)/gm),
    bulkRejected: sum(/^accord_http_requests_total\{[^}]*route="\/v1\/check\/bulk"[^}]*status="4\d\d"[^}]*\} (\d+)/gm),
    checks: sum(/^accord_checks_total\{[^}]*\} (\d+)/gm),
  };
}

/** measured runs `work` and returns what it cost the server in requests. */
async function measured<T>(work: () => Promise<T>) {
  const before = await counters();
  const result = await work();
  const after = await counters();
  return { result, single: after.single - before.single, bulk: after.bulk - before.bulk, bulkRejected: after.bulkRejected - before.bulkRejected, checks: after.checks - before.checks };
}

/** viewers grants `user:<id>#viewer` on a fresh resource to the first `granted` of `count` users. */
async function viewers(count: number, granted: number) {
  const resource = `resource:${uid("doc")}`;
  const users = Array.from({ length: count }, (_, i) => `user:${uid("u")}x${i}`);
  const res = await server.call("POST", "/v1/relationships", { body: { updates: users.slice(0, granted).map((u) => ({ operation: "touch", relationship: `${resource}#viewer@${u}` })) } });
  expect(res.status).toBe(200);
  return { resource, users };
}

describe("checks issued together share a bulk call", () => {
  it("50 concurrent checks: one POST /v1/check/bulk, each caller its own answer", async () => {
    const { resource, users } = await viewers(50, 20);
    const accord = createAccordClient({ baseUrl: server.url, apiKey: KEYS.check });
    const { result, single, bulk } = await measured(() => Promise.all(users.map((subject) => accord.check({ resource, permission: "view", subject }))));
    expect(bulk).toBe(1);
    expect(single).toBe(0);
    expect(result.map((r) => r.allowed)).toEqual(users.map((_, i) => i < 20));
    expect(new Set(result.map((r) => r.zedToken)).size).toBe(1);
  });

  it("250 checks with maxBatchSize 100: three bulk calls", async () => {
    const { resource, users } = await viewers(250, 125);
    const accord = createAccordClient({ baseUrl: server.url, apiKey: KEYS.check, batch: { maxBatchSize: 100 } });
    const { result, bulk, single } = await measured(() => Promise.all(users.map((subject) => accord.check({ resource, permission: "view", subject }))));
    expect(bulk).toBe(3);
    expect(single).toBe(0);
    expect(result.filter((r) => r.allowed)).toHaveLength(125);
    expect(result.map((r) => r.allowed)).toEqual(users.map((_, i) => i < 125));
  });

  it("identical questions are asked once", async () => {
    const { resource, users } = await viewers(2, 1);
    const accord = createAccordClient({ baseUrl: server.url, apiKey: KEYS.check });
    const asks = [...Array.from({ length: 10 }, () => users[0]!), users[1]!];
    const { result, bulk, checks } = await measured(() => Promise.all(asks.map((subject) => accord.check({ resource, permission: "view", subject }))));
    expect(bulk).toBe(1);
    expect(checks).toBe(2);
    expect(result.map((r) => r.allowed)).toEqual([...Array.from({ length: 10 }, () => true), false]);
  });

  it("checks in different ticks are separate; a lone check goes to POST /v1/check; batch: false never batches", async () => {
    const { resource, users } = await viewers(3, 3);
    const accord = createAccordClient({ baseUrl: server.url, apiKey: KEYS.check });
    const sequential = await measured(async () => {
      for (const subject of users) expect((await accord.check({ resource, permission: "view", subject })).allowed).toBe(true);
    });
    expect(sequential.single).toBe(3);
    expect(sequential.bulk).toBe(0);
    const unbatched = createAccordClient({ baseUrl: server.url, apiKey: KEYS.check, batch: false });
    const together = await measured(() => Promise.all(users.map((subject) => unbatched.check({ resource, permission: "view", subject }))));
    expect(together.single).toBe(3);
    expect(together.bulk).toBe(0);
  });

  it("checks issued in separate callbacks of one event-loop turn share a call (window turn, the default); window tick does not", async () => {
    const { resource, users } = await viewers(6, 3);
    /** fromTimers issues each check from its own timer callback, all due in the same turn. */
    const fromTimers = (client: ReturnType<typeof createAccordClient>) =>
      Promise.all(users.map((subject) => new Promise<boolean>((resolve, reject) => setTimeout(() => client.check({ resource, permission: "view", subject }).then((r) => resolve(r.allowed), reject), 0))));
    const turn = await measured(() => fromTimers(createAccordClient({ baseUrl: server.url, apiKey: KEYS.check })));
    expect(turn.result).toEqual(users.map((_, i) => i < 3));
    expect(turn.bulk).toBe(1);
    expect(turn.single).toBe(0);
    const tick = await measured(() => fromTimers(createAccordClient({ baseUrl: server.url, apiKey: KEYS.check, batch: { window: "tick" } })));
    expect(tick.result).toEqual(users.map((_, i) => i < 3));
    expect(tick.single).toBe(6);
    expect(tick.bulk).toBe(0);
  });

  it("checks of different consistency go in different calls", async () => {
    const { resource, users } = await viewers(4, 4);
    const accord = createAccordClient({ baseUrl: server.url, apiKey: KEYS.check });
    const { result, bulk } = await measured(() =>
      Promise.all(users.map((subject, i) => accord.check({ resource, permission: "view", subject, consistency: i % 2 ? "full" : "minimize_latency" }))),
    );
    expect(bulk).toBe(2);
    expect(result.every((r) => r.allowed)).toBe(true);
  });
});

describe("each caller gets its own error", () => {
  it("an item error (unknown permission) fails that caller only", async () => {
    const { resource, users } = await viewers(3, 3);
    const accord = createAccordClient({ baseUrl: server.url, apiKey: KEYS.check });
    const { result, bulk } = await measured(() =>
      Promise.allSettled([
        accord.check({ resource, permission: "view", subject: users[0]! }),
        accord.check({ resource, permission: "no_such_permission", subject: users[1]! }),
        accord.check({ resource, permission: "view", subject: users[2]! }),
      ]),
    );
    expect(bulk).toBe(1);
    expect(result[0]).toMatchObject({ status: "fulfilled", value: { allowed: true } });
    expect(result[2]).toMatchObject({ status: "fulfilled", value: { allowed: true } });
    expect(result[1]!.status).toBe("rejected");
    const error = (result[1] as PromiseRejectedResult).reason as AccordError;
    expect(error).toBeInstanceOf(AccordError);
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.status).toBeLessThan(500);
  });

  it("an invalid item (a 400 naming items.N) fails that caller with its field; the rest are asked again", async () => {
    const { resource, users } = await viewers(4, 2);
    const accord = createAccordClient({ baseUrl: server.url, apiKey: KEYS.check });
    const { result, bulk, bulkRejected } = await measured(() =>
      Promise.allSettled([
        accord.check({ resource, permission: "view", subject: users[0]! }),
        accord.check({ resource, permission: "view", subject: "not a subject" }),
        accord.check({ resource, permission: "view", subject: users[2]! }),
        accord.check({ resource, permission: "view", subject: users[1]! }),
      ]),
    );
    expect(bulkRejected).toBe(1);
    expect(bulk).toBe(1);
    expect(result.map((r) => (r.status === "fulfilled" ? r.value.allowed : "error"))).toEqual([true, "error", false, true]);
    const error = (result[1] as PromiseRejectedResult).reason as AccordError;
    expect(error.code).toBe("invalid_request");
    expect(error.field).toBe("subject");
    expect(error.detail).toMatch(/^subject:/);
  });

  it("a user token asking about others: the bulk call is refused, each check then answers for itself", async () => {
    const me = uid("me");
    const { resource, users } = await viewers(2, 2);
    await server.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: `${resource}#viewer@user:${me}` }] } });
    const jwt = await new SignJWT({ sub: me }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setIssuer("https://issuer.test").setAudience("accord").setExpirationTime("5m").sign(new TextEncoder().encode(SECRET));
    let asked = 0;
    const accord = createAccordClient({
      baseUrl: server.url,
      token: async () => {
        asked += 1;
        return jwt;
      },
    });
    const result = await Promise.allSettled([accord.check({ resource, permission: "view", subject: `user:${me}` }), ...users.map((subject) => accord.check({ resource, permission: "view", subject }))]);
    expect(result[0]).toMatchObject({ status: "fulfilled", value: { allowed: true } });
    for (const other of result.slice(1)) {
      expect(other.status).toBe("rejected");
      expect(((other as PromiseRejectedResult).reason as AccordError).code).toBe("forbidden");
    }
    // The provider is asked for every request: one bulk call, then three single checks.
    expect(asked).toBe(4);
  });

  it("a caller's own deadline or abort settles that caller only", async () => {
    const { resource, users } = await viewers(2, 2);
    const accord = createAccordClient({ baseUrl: server.url, apiKey: KEYS.check });
    const controller = new AbortController();
    const pending = [accord.check({ resource, permission: "view", subject: users[0]! }, { signal: controller.signal }), accord.check({ resource, permission: "view", subject: users[1]! })];
    controller.abort();
    const [aborted, answered] = await Promise.allSettled(pending);
    expect(aborted!.status).toBe("rejected");
    expect(((aborted as PromiseRejectedResult).reason as AccordError).code).toBe("aborted");
    expect(answered).toMatchObject({ status: "fulfilled", value: { allowed: true } });
  });
});
