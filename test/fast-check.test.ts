// The fast check path (src/http/fast-check.ts): POST /v1/check served ahead of Express. It must
// take only the requests it can answer exactly as the Express route would, leave every other
// one untouched for Express, and give the same answers, errors and headers.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckPermission } from "../src/domain/permissions/check-permission.js";
import { EmbeddedEngine } from "../src/engine/embedded/embedded-engine.js";
import { ApiKeyRing } from "../src/auth/api-keys.js";
import { fastCheck, FAST_BODY_LIMIT } from "../src/http/fast-check.js";
import { JwtVerifier } from "../src/auth/jwt-verifier.js";
import { Metrics } from "../src/http/metrics.js";
import { answerCheck } from "../src/http/routes/permission-routes.js";
import { createLogger } from "../src/logger.js";
import { KEYS, SCHEMA, startTestServer, uid, useTestServer, type TestServer } from "./support/test-server.js";

/** Express answers with this status: the fast path left the request alone. */
const PASSED_ON = 599;

describe("which requests the fast path takes", () => {
  let engine: EmbeddedEngine;
  let server: Server;
  let url: string;
  const metrics = new Metrics();
  let hang = false;

  beforeAll(async () => {
    engine = await EmbeddedEngine.open({ schema: SCHEMA });
    await engine.write([{ operation: "touch", relationship: { resource: { type: "project", id: "fp" }, relation: "viewer", subject: { type: "user", id: "ann" } } }]);
    const useCases = { checkPermission: createCheckPermission({ engine }) };
    const keys = ApiKeyRing.fromConfig([
      { name: "admin", key: KEYS.admin, scopes: ["admin"] },
      { name: "manage", key: KEYS.manage, scopes: ["manage"] },
      { name: "check", key: KEYS.check, scopes: ["check"] },
    ]);
    const fast = fastCheck({
      keys: () => keys,
      jwt: new JwtVerifier({ secret: "a-jwt-secret-of-at-least-32-characters!" }),
      answer: (body) => (hang ? new Promise(() => undefined) : answerCheck(useCases, metrics, body)),
      metrics,
      logger: createLogger("silent"),
      requestTimeoutMs: 300,
    });
    server = createServer((req, res) => {
      if (fast(req, res)) return;
      req.resume();
      res.statusCode = PASSED_ON;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await engine.close();
  });

  const body = JSON.stringify({ resource: "project:fp", permission: "view", subject: "user:ann" });
  const post = (init: { path?: string; method?: string; headers?: Record<string, string>; body?: BodyInit | null; key?: string | null }) => {
    const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
    const key = init.key === undefined ? KEYS.check : init.key;
    if (key) headers.authorization = `Bearer ${key}`;
    const method = init.method ?? "POST";
    return fetch(url + (init.path ?? "/v1/check"), { method, headers, body: method === "GET" ? undefined : init.body === undefined ? body : init.body, duplex: "half" } as RequestInit);
  };

  it("answers a plain JSON check from a key with the check or admin scope, with request id and security headers", async () => {
    for (const key of [KEYS.check, KEYS.admin]) {
      const res = await post({ key, headers: { "x-request-id": "fast-1" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(res.headers.get("x-request-id")).toBe("fast-1");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await res.json()).toMatchObject({ allowed: true, zedToken: expect.any(String) });
    }
    const utf8 = await post({ headers: { "content-type": "application/json; charset=utf-8" } });
    expect(utf8.status).toBe(200);
    const generated = await post({ headers: { "x-request-id": "bad id" } });
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("passes on everything else untouched: other routes and methods, no or unknown or unscoped keys, JWTs, CORS, other bodies", async () => {
    const jwtLike = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl";
    const cases: Array<[string, Parameters<typeof post>[0]]> = [
      ["bulk route", { path: "/v1/check/bulk" }],
      ["query string", { path: "/v1/check?x=1" }],
      ["GET", { method: "GET" }],
      ["PUT", { method: "PUT" }],
      ["no credentials", { key: null }],
      ["unknown key", { key: "not-a-key-0123456789abcdef" }],
      ["key without the check scope", { key: KEYS.manage }],
      ["JWT (verified by Express)", { key: jwtLike }],
      ["CORS request", { headers: { origin: "https://console.test" } }],
      ["another content type", { headers: { "content-type": "text/plain" } }],
      ["a +json type", { headers: { "content-type": "application/merge-patch+json" } }],
      ["another charset", { headers: { "content-type": "application/json; charset=latin1" } }],
      ["compressed body", { headers: { "content-encoding": "gzip" } }],
      ["body over the fast limit", { body: JSON.stringify({ resource: "project:fp", permission: "view", subject: "user:ann", pad: "x".repeat(FAST_BODY_LIMIT) }) }],
      ["chunked body", { body: new Blob([body]).stream() }],
    ];
    for (const [name, init] of cases) {
      const res = await post(init);
      expect(res.status, name).toBe(PASSED_ON);
    }
  });

  it("answers bad bodies with the route's problem+json, naming the field", async () => {
    const cases: Array<[string, string, string]> = [
      ["{broken", "invalid_request", "body"],
      ["", "invalid_request", "resource"],
      ["[1,2]", "invalid_request", "body"],
      [JSON.stringify({ resource: "project:fp", permission: "view", subject: "nope" }), "invalid_request", "subject"],
      [JSON.stringify({ resource: "project:fp", permission: "no_such_permission", subject: "user:ann" }), "invalid_request", "permission"],
      [JSON.stringify({ resource: "project:fp", permission: "view", subject: "user:ann", extra: 1 }), "invalid_request", "body"],
    ];
    for (const [text, code, field] of cases) {
      const res = await post({ body: text });
      expect(res.status, text).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
      const problem = (await res.json()) as { code: string; field?: string; status: number };
      expect(problem, text).toMatchObject({ code, field, status: 400 });
    }
    // A byte-order mark is not part of the JSON (as with express.json()).
    const bom = await post({ body: `\uFEFF${body}` });
    expect(bom.status).toBe(200);
  });

  it("answers 504 problem+json past the time limit, and counts every request in the route's metrics", async () => {
    hang = true;
    try {
      const res = await post({});
      expect(res.status).toBe(504);
      expect(((await res.json()) as { code: string }).code).toBe("timeout");
    } finally {
      hang = false;
    }
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/accord_http_requests_total\{method="POST",route="\/v1\/check",status="200"\} [1-9]/);
    expect(text).toMatch(/accord_http_requests_total\{method="POST",route="\/v1\/check",status="400"\} [1-9]/);
    expect(text).toMatch(/accord_http_requests_total\{method="POST",route="\/v1\/check",status="504"\} 1/);
    expect(text).toMatch(/accord_checks_total\{result="allowed"\} [1-9]/);
  });
});

describe("the same answers with and without the fast path", () => {
  let fast: TestServer;
  let express: TestServer;
  const project = uid("fpp");

  beforeAll(async () => {
    fast = await startTestServer();
    // With the fast path turned off, /v1/check goes through the Express chain.
    express = await startTestServer({ fastCheckPath: false });
    for (const server of [fast, express]) {
      const res = await server.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: `project:${project}#viewer@user:ann` }] } });
      expect(res.status).toBe(200);
    }
  });
  afterAll(async () => {
    await fast.close();
    await express.close();
  });

  it("status, content type, body and security headers match the Express route's", async () => {
    const requests: Array<{ key?: "check" | "admin" | "manage" | null; body: unknown; headers?: Record<string, string> }> = [
      { body: { resource: `project:${project}`, permission: "view", subject: "user:ann" } },
      { body: { resource: `project:${project}`, permission: "edit", subject: "user:ann" } },
      { key: "admin", body: { resource: `project:${project}`, permission: "view", subject: "user:bob", consistency: "full" } },
      { body: { resource: `project:${project}`, permission: "view", subject: "user:ann", consistency: { atLeastAsFresh: "garbage" } } },
      { body: { resource: `project:${project}`, permission: "view", subject: "group:eng#member" } },
      { body: { resource: `project:${project}`, permission: "nope_perm", subject: "user:ann" } },
      { body: { resource: "nosuchtype:x", permission: "view", subject: "user:ann" } },
      { body: { resource: `project:${project}`, permission: "view" } },
      { body: "{broken" },
      { body: "" },
      { key: "manage", body: { resource: `project:${project}`, permission: "view", subject: "user:ann" } },
      { key: null, body: { resource: `project:${project}`, permission: "view", subject: "user:ann" } },
    ];
    const strip = (body: unknown) => (body && typeof body === "object" ? { ...(body as object), zedToken: undefined } : body);
    const SECURITY = ["content-security-policy", "strict-transport-security", "x-content-type-options", "x-frame-options", "referrer-policy", "cross-origin-opener-policy"];
    for (const request of requests) {
      const [a, b] = await Promise.all([fast, express].map((server) => server.call("POST", "/v1/check", { key: request.key === undefined ? "check" : request.key, body: request.body, headers: { "x-request-id": "same-id", ...request.headers } })));
      const name = JSON.stringify(request);
      expect(a!.status, name).toBe(b!.status);
      expect(a!.headers.get("content-type"), name).toBe(b!.headers.get("content-type"));
      expect(strip(a!.body), name).toEqual(strip(b!.body));
      for (const header of [...SECURITY, "x-request-id"]) expect(a!.headers.get(header), `${name} ${header}`).toBe(b!.headers.get(header));
    }
  });
});

describe("the fast path and the rate limit", () => {
  const project = uid("fprl");
  const server = useTestServer({ limits: { ratePerSecond: 3, rateLimitExempt: ["admin"] } });

  it("serves checks under a rate limit and throttles past it with the same 429 as Express, exempt keys excepted", async () => {
    const body = { resource: `project:${project}`, permission: "view", subject: "user:ann" };
    const metricsBefore = await server.call("GET", "/metrics", { key: "admin" });
    const answers = await Promise.all(Array.from({ length: 10 }, () => server.call("POST", "/v1/check", { key: "check", body })));
    const throttled = answers.filter((r) => r.status === 429);
    expect(answers.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]!.headers.get("retry-after")).toBe("1");
    expect(throttled[0]!.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(throttled[0]!.headers.get("x-content-type-options")).toBe("nosniff");
    expect(throttled[0]!.body).toMatchObject({ code: "throttled", status: 429 });
    // The same limit holds through Express (the bulk route), per key: this key is spent too.
    const bulk = await server.call("POST", "/v1/check/bulk", { key: "check", body: { items: [body] } });
    expect(bulk.status).toBe(429);
    const admin = await Promise.all(Array.from({ length: 10 }, () => server.call("POST", "/v1/check", { key: "admin", body })));
    expect(admin.every((r) => r.status === 200)).toBe(true);
    // The fast path served them (counted under its route, 429s included).
    expect(metricsBefore.status).toBe(200);
    const metrics = String((await server.call("GET", "/metrics", { key: "admin" })).body);
    expect(metrics).toMatch(/accord_http_requests_total\{method="POST",route="\/v1\/check",status="429"\} [1-9]/);
  });
});
