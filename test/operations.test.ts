// Pins operational behaviour: /metrics, body size (413), rate limit (429 + Retry-After),
// security headers, CORS off unless configured, request ids, and logs that never hold secrets.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { KEYS, startTestServer, useTestServer, type TestServer } from "./support/test-server.js";

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
