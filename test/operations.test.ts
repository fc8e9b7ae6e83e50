// Pins operational behaviour: /metrics, body size (413), rate limit (429 + Retry-After),
// security headers, CORS off unless configured, request ids, and logs that never hold secrets.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { REMOTE_MODE } from "./remote/test-mode.js";
import { KEYS, startTestServer, uid, useTestServer, type TestServer } from "./support/test-server.js";

describe("metrics and headers", () => {
  const server = useTestServer();

  it("serves Prometheus metrics to a key, counting requests by route, checks and engine calls", async () => {
    await server.call("POST", "/v1/check", { key: "check", body: { resource: "project:m1", permission: "view", subject: "user:m" } });
    await server.call("POST", "/v1/check/bulk", { key: "check", body: { items: [{ resource: "project:m1", permission: "view", subject: "user:m" }] } });
    expect((await server.call("GET", "/metrics", { key: null })).status).toBe(401);
    const res = await server.call("GET", "/metrics", { key: "check" });
    expect(res.status).toBe(200);
    const text = res.body as string;
    expect(text).toMatch(/accord_http_requests_total\{method="POST",route="\/v1\/check",status="200"\} [1-9]/);
    expect(text).toMatch(/accord_checks_total\{result="denied"\} [1-9]/);
    expect(text).toMatch(/accord_engine_call_duration_seconds_count\{method="check"\} [1-9]/);
    expect(text).toMatch(/accord_engine_bulk_batch_size_count [1-9]/);
    expect(text).toContain("accord_nodejs_eventloop_lag_seconds");
    expect(text).toContain("accord_process_resident_memory_bytes");
  });

  it("reports the check cache: hits and misses, what it holds, the changes it heard of and what they dropped; remote, its watch", async () => {
    const [p, u] = [uid("p"), uid("u")];
    const figure = async (name: string) => {
      const text = (await server.call("GET", "/metrics", { key: "check" })).body as string;
      const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
      return match ? Number(match[1]) : undefined;
    };
    const check = () => server.call("POST", "/v1/check", { key: "check", body: { resource: `project:${p}`, permission: "view", subject: `user:${u}` } });
    const grant = await server.call("POST", "/v1/relationships", { key: "admin", body: { updates: [{ operation: "touch", relationship: `project:${p}#viewer@user:${u}` }] } });
    expect(grant.status).toBe(200);
    // Remote: the watch brings the grant before it is counted as a change heard of.
    if (REMOTE_MODE) expect(await server.checkPath.cache!.caughtUp(grant.body.zedToken, 5_000)).toBe(true);
    const before = { hits: await figure("accord_check_cache_hits_total"), misses: await figure("accord_check_cache_misses_total"), changes: await figure("accord_check_cache_changes_total") };
    expect(before.hits).toBeGreaterThanOrEqual(0);
    // The first check is a miss; the answer is stored and the next ones are hits (remote: once
    // the watch lets the cache store, a moment after the write). Each check is one or the other.
    let checks = 0;
    let hits = before.hits!;
    while (hits === before.hits && checks < 50) {
      expect((await check()).body.allowed).toBe(true);
      checks += 1;
      hits = (await figure("accord_check_cache_hits_total"))!;
      if (hits === before.hits) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(hits).toBe(before.hits! + 1);
    expect(await figure("accord_check_cache_misses_total")).toBe(before.misses! + checks - 1);
    if (!REMOTE_MODE) expect(checks).toBe(2);
    expect(await figure("accord_check_cache_entries")).toBeGreaterThanOrEqual(1);
    // The revocation drops that answer: counted as a change and a drop.
    const dropped = await figure("accord_check_cache_dropped_total");
    const revoke = await server.call("POST", "/v1/relationships", { key: "admin", body: { updates: [{ operation: "delete", relationship: `project:${p}#viewer@user:${u}` }] } });
    expect(revoke.status).toBe(200);
    if (REMOTE_MODE) expect(await server.checkPath.cache!.caughtUp(revoke.body.zedToken, 5_000)).toBe(true);
    expect(await figure("accord_check_cache_changes_total")).toBeGreaterThan(before.changes!);
    expect(await figure("accord_check_cache_dropped_total")).toBeGreaterThan(dropped!);
    expect((await check()).body.allowed).toBe(false);
    if (REMOTE_MODE) {
      expect(await figure("accord_check_cache_watch_up")).toBe(1);
      expect(await figure("accord_check_cache_watch_restarts_total")).toBeGreaterThanOrEqual(0);
      expect(await figure("accord_check_cache_watch_lag_p50_seconds")).toBeGreaterThanOrEqual(0);
    } else {
      expect(await figure("accord_check_cache_watch_up")).toBeUndefined();
    }
  });

  it("sends security headers, no CORS headers by default, and echoes request ids", async () => {
    const res = await server.call("GET", "/healthz", { key: null, headers: { origin: "https://evil.test", "x-request-id": "abc-1" } });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("x-request-id")).toBe("abc-1");
    const generated = await server.call("GET", "/healthz", { key: null, headers: { "x-request-id": "bad id with spaces" } });
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers 413 to a body over the limit, as problem+json", async () => {
    const big = { items: [{ resource: "project:p", permission: "view", subject: "user:" + "x".repeat(1_100_000) }] };
    const res = await server.call("POST", "/v1/check/bulk", { key: "check", body: big });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("limits from the configuration", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ limits: { ratePerSecond: 5, rateLimitExempt: ["admin"], corsOrigins: ["https://console.test"] } });
  });
  afterAll(async () => {
    await server.close();
  });

  it("throttles a key past its rate with 429 and Retry-After, but not an exempt key", async () => {
    const body = { resource: "project:r", permission: "view", subject: "user:r" };
    const statuses = await Promise.all(Array.from({ length: 12 }, () => server.call("POST", "/v1/check", { key: "check", body })));
    const throttled = statuses.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]!.headers.get("retry-after")).toBe("1");
    expect(throttled[0]!.body.code).toBe("throttled");
    const admin = await Promise.all(Array.from({ length: 12 }, () => server.call("POST", "/v1/check", { key: "admin", body })));
    expect(admin.every((r) => r.status === 200)).toBe(true);
  });

  it("allows CORS for a configured origin only", async () => {
    const ok = await server.call("GET", "/healthz", { key: null, headers: { origin: "https://console.test" } });
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://console.test");
    const other = await server.call("GET", "/healthz", { key: null, headers: { origin: "https://evil.test" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("logs", () => {
  it("never contain API keys, bearer tokens or the key file's secrets", async () => {
    let output = "";
    const sink = new Writable({
      write(chunk, _enc, done) {
        output += chunk.toString();
        done();
      },
    });
    const server = await startTestServer({ logger: createLogger("trace", sink) });
    try {
      await server.call("POST", "/v1/check", { key: "check", body: { resource: "project:l", permission: "view", subject: "user:l" } });
      await server.call("POST", "/v1/relationships", { key: "admin", body: { updates: [{ operation: "touch", relationship: "project:l#viewer@user:l" }] } });
      await server.call("GET", "/v1/schema", { key: "manage" });
      await server.call("GET", "/v1/schema", { key: null, headers: { authorization: "Bearer wrong-secret-value-123456" } });
      await server.call("POST", "/v1/check", { key: "check", body: "{broken" });
    } finally {
      await server.close();
    }
    expect(output.length).toBeGreaterThan(0);
    expect(output).toContain("[redacted]");
    for (const secret of [...Object.values(KEYS), "wrong-secret-value-123456"]) expect(output).not.toContain(secret);
  });
});
