// Pins authentication and scopes (docs/api.md): no credentials → 401, wrong scope → 403,
// per route family, always as problem+json; health endpoints stay open.
import { describe, expect, it } from "vitest";
import { KEYS, useTestServer, } from "./support/test-server.js";

const server = useTestServer();

const checkBody = { resource: "project:p", permission: "view", subject: "user:u" };
const routes: Array<{ family: string; method: string; path: string; body?: unknown; allowed: Array<keyof typeof KEYS> }> = [
  { family: "check", method: "POST", path: "/v1/check", body: checkBody, allowed: ["check", "admin"] },
  { family: "check", method: "POST", path: "/v1/check/bulk", body: { items: [checkBody] }, allowed: ["check", "admin"] },
  { family: "check", method: "POST", path: "/v1/lookup/resources", body: { resourceType: "project", permission: "view", subject: "user:u" }, allowed: ["check", "admin"] },
  { family: "check", method: "POST", path: "/v1/lookup/subjects", body: { resource: "project:p", permission: "view", subjectType: "user" }, allowed: ["check", "admin"] },
  { family: "check", method: "POST", path: "/v1/explain", body: checkBody, allowed: ["check", "admin"] },
  { family: "admin", method: "GET", path: "/v1/relationships?resourceType=project", allowed: ["admin"] },
  { family: "admin", method: "POST", path: "/v1/relationships", body: { updates: [{ operation: "touch", relationship: "project:auth#viewer@user:u" }] }, allowed: ["admin"] },
  { family: "admin", method: "DELETE", path: "/v1/relationships", body: { filter: { resourceType: "project", resourceId: "auth" } }, allowed: ["admin"] },
  { family: "admin", method: "GET", path: "/v1/schema", allowed: ["admin"] },
  { family: "admin", method: "POST", path: "/v1/schema/validate", body: { schema: "definition user {}" }, allowed: ["admin"] },
];

describe.each(routes)("$method $path", (route) => {
  it("answers 401 without credentials and with a wrong or malformed key", async () => {
    for (const headers of [{} as Record<string, string>, { authorization: "Bearer not-a-real-key-000000000" }, { authorization: "Basic abc" }, { authorization: `Bearer ${KEYS.admin}x` }]) {
      const res = await server.call(route.method, route.path, { key: null, body: route.body, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.code).toBe("unauthenticated");
    }
  });

  it("answers 403 to keys without the scope and serves keys with it", async () => {
    for (const key of ["check", "manage", "admin"] as const) {
      const res = await server.call(route.method, route.path, { key, body: route.body });
      if (route.allowed.includes(key)) {
        expect(res.status, `${key} key`).toBe(200);
      } else {
        expect(res.status, `${key} key`).toBe(403);
        expect(res.body.code).toBe("forbidden");
      }
    }
  });
});

describe("open endpoints and unknown routes", () => {
  it("serves /healthz and /readyz without credentials", async () => {
    expect((await server.call("GET", "/healthz", { key: null })).status).toBe(200);
    const ready = await server.call("GET", "/readyz", { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
  });

  it("asks for credentials before revealing whether a route exists", async () => {
    expect((await server.call("GET", "/v1/nothing-here", { key: null })).status).toBe(401);
    const res = await server.call("GET", "/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  it("echoes a request id and never exposes a stack trace", async () => {
    const res = await server.call("POST", "/v1/check", { key: "check", body: "[", headers: { "x-request-id": "req-123" } });
    expect(res.headers.get("x-request-id")).toBe("req-123");
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});
