// Pins the client's resilience against a real Accord and real sockets: idempotent calls (checks,
// lookups, reads) are retried on 429 after Retry-After and on network errors with backoff, a
// write never is; a call ends at its deadline or its caller's abort; failures are AccordErrors
// that say whether Accord gave no decision (`unavailable`).
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccordError, createAccordClient, type AccordClientOptions } from "../../packages/client/src/index.js";
import { KEYS, startTestServer, uid, type TestServer } from "../support/test-server.js";
import { startTcpProxy, type TcpProxy } from "../remote/tcp-proxy.js";

/** counted: a client whose requests (attempts) are counted at its fetch. */
function counted(options: AccordClientOptions) {
  const sent: string[] = [];
  const client = createAccordClient({
    ...options,
    fetch: (input, init) => {
      sent.push(`${init?.method ?? "GET"} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
  });
  return { client, sent };
}

describe("429 with Retry-After (a rate-limited Accord, 2 requests per second per key)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ limits: { ratePerSecond: 2 } });
  });
  afterAll(async () => {
    await server?.close();
  });
  /** spend uses up this second's budget of a key. */
  const spend = async (key: "check" | "manage") => {
    for (let i = 0; i < 3; i++) await server.call("GET", "/v1/orgs/none", { key, actor: "user:spender" });
  };

  it("a check waits Retry-After and is answered on its retry", async () => {
    const { client, sent } = counted({ baseUrl: server.url, apiKey: KEYS.check, batch: false, timeoutMs: 10_000 });
    await spend("check");
    const started = Date.now();
    const answer = await client.check({ resource: `resource:${uid("r")}`, permission: "view", subject: "user:nobody" });
    expect(answer.allowed).toBe(false);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    // Retry-After: 1 second, honoured (not the 50 ms backoff).
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("a write is not retried: 429 throttled comes back at once, with Retry-After", async () => {
    const { client, sent } = counted({ baseUrl: server.url, apiKey: KEYS.manage, actor: `user:${uid("olivia")}` });
    await spend("manage");
    const error = (await client.orgs.create({ id: uid("org") }).catch((err: unknown) => err)) as AccordError;
    expect(error).toBeInstanceOf(AccordError);
    expect(error.code).toBe("throttled");
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(1);
    expect(error.unavailable).toBe(true);
    expect(sent).toEqual(["POST /v1/orgs"]);
  });

  it("a retry that would pass the deadline is not made: the 429 is the answer", async () => {
    const { client, sent } = counted({ baseUrl: server.url, apiKey: KEYS.check, batch: false, timeoutMs: 500 });
    await spend("check");
    const error = (await client.check({ resource: "resource:x", permission: "view", subject: "user:y" }).catch((err: unknown) => err)) as AccordError;
    expect(error.code).toBe("throttled");
    expect(sent).toHaveLength(1);
  });
});

describe("network errors and deadlines", () => {
  let server: TestServer;
  let proxy: TcpProxy;
  let blackHole: Server;
  const held = new Set<Socket>();
  beforeAll(async () => {
    server = await startTestServer();
    proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(server.url).port) });
    // A peer that accepts connections and never answers: a hung network path.
    blackHole = createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    blackHole?.close();
    await proxy?.stop();
    await server?.close();
  });
  const viaProxy = () => `http://127.0.0.1:${proxy.port}`;

  it("a check through a cut connection is retried with backoff and answered once Accord is reachable again", async () => {
    await proxy.stop();
    const { client, sent } = counted({ baseUrl: viaProxy(), apiKey: KEYS.check, retry: { retries: 8, baseDelayMs: 100, maxDelayMs: 400 }, timeoutMs: 10_000 });
    setTimeout(() => void proxy.start(), 300);
    const answer = await client.check({ resource: `resource:${uid("r")}`, permission: "view", subject: "user:nobody" });
    expect(answer.allowed).toBe(false);
    expect(sent.length).toBeGreaterThan(1);
  });

  it("a write through a cut connection fails at once with network_error, unavailable", async () => {
    await proxy.stop();
    try {
      const { client, sent } = counted({ baseUrl: viaProxy(), apiKey: KEYS.manage, actor: "user:olivia" });
      const error = (await client.orgs.create({ id: uid("org") }).catch((err: unknown) => err)) as AccordError;
      expect(error.code).toBe("network_error");
      expect(error.status).toBe(0);
      expect(error.unavailable).toBe(true);
      expect(sent).toHaveLength(1);
    } finally {
      await proxy.start();
    }
  });

  it("a call that gets no answer ends at its deadline with request_timeout", async () => {
    const port = (blackHole.address() as AddressInfo).port;
    const accord = createAccordClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: KEYS.check, timeoutMs: 300 });
    const started = Date.now();
    const error = (await accord.check({ resource: "resource:x", permission: "view", subject: "user:y" }).catch((err: unknown) => err)) as AccordError;
    expect(error.code).toBe("request_timeout");
    expect(error.unavailable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    // A call's own timeoutMs replaces the client's.
    const quicker = Date.now();
    const own = (await accord.lookupResources({ resourceType: "resource", permission: "view", subject: "user:y" }, { timeoutMs: 100 }).catch((err: unknown) => err)) as AccordError;
    expect(own.code).toBe("request_timeout");
    expect(Date.now() - quicker).toBeLessThan(290);
  });

  it("a caller's abort ends the call with aborted, which is not `unavailable`", async () => {
    const port = (blackHole.address() as AddressInfo).port;
    const accord = createAccordClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: KEYS.check, timeoutMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = (await accord.explain({ resource: "resource:x", permission: "view", subject: "user:y" }, { signal: controller.signal }).catch((err: unknown) => err)) as AccordError;
    expect(error.code).toBe("aborted");
    expect(error.unavailable).toBe(false);
  });
});
