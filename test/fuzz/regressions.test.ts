// Pins the cases the fuzzers found, as plain tests: each once answered 5xx (or wrote) where the
// contract says 400 and nothing written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, startTestServer, uid, type TestServer } from "../helpers/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const caveated = (resource: string, context: unknown) => ({
  updates: [{ operation: "touch", relationship: `resource:${resource}#viewer@user:gus`, caveat: { name: "ip_allowlist", context } }],
});
const stored = async (resource: string) => (await server.call("GET", `/v1/relationships?resourceType=resource&resourceId=${resource}`)).body.relationships as unknown[];

describe("caveat contexts of the wrong shape", () => {
  it("a write whose context has a parameter of the wrong type or an unknown one is 400, and writes nothing", async () => {
    const resource = uid("res");
    for (const context of [{ allowed_cidr: ["10.0.0.0/8"] }, { allowed_cidr: 5 }, { allowed_cidr: null }, { allowed_cidr: "10.0.0.0/8", extra: 1 }, { user_ip: "not-an-ip" }]) {
      const res = await server.call("POST", "/v1/relationships", { body: caveated(resource, context) });
      expect(res.status, JSON.stringify(context)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe("invalid_request");
    }
    expect(await stored(resource)).toEqual([]);
    expect((await server.call("POST", "/v1/relationships", { body: caveated(resource, { allowed_cidr: "10.0.0.0/8" }) })).status).toBe(200);
    expect(await stored(resource)).toHaveLength(1);
  });

  it("a context nested deeper than 32 levels is 400 naming the field, on writes and on checks", async () => {
    const resource = uid("res");
    // Built as text: JSON.stringify itself cannot serialise the deepest of these.
    const deep = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;
    for (const depth of [40, 2_000, 100_000]) {
      const writeBody = JSON.stringify(caveated(resource, { allowed_cidr: "@" })).replace('"@"', deep(depth, "[", "]"));
      const write = await server.call("POST", "/v1/relationships", { body: writeBody });
      expect(write.status, `write, depth ${depth}`).toBe(400);
      expect(write.body.field).toBe("updates.0.caveat.context");
      const checkBody = JSON.stringify({ resource: `resource:${resource}`, permission: "view", subject: "user:gus", context: { user_ip: "@" } }).replace('"@"', deep(depth, '{"a":', "}"));
      const check = await server.call("POST", "/v1/check", { body: checkBody });
      expect(check.status, `check, depth ${depth}`).toBe(400);
      expect(check.body.field).toBe("context");
    }
    expect(await stored(resource)).toEqual([]);
  });
});

describe("HEAD on the watch stream", () => {
  it("answers the stream's headers at once instead of hanging with a watch held open", async () => {
    const started = Date.now();
    const res = await fetch(`${server.url}/v1/watch`, { method: "HEAD", headers: { authorization: `Bearer ${KEYS.admin}` }, signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
