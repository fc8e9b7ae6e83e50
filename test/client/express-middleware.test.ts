// Pins requirePermission through a real Express app calling a real Accord: allowed requests
// reach the route with the decision on req.accord, denied ones get 403 problem+json (or the
// onDenied handler), a malformed id is a deny, and when Accord gives no decision the route is
// closed with 503 problem+json — or open with failOpen — and concurrent requests share bulk calls.
import express, { type Express } from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccordClient, type AccordClient } from "../../packages/client/src/index.js";
import { requirePermission, type RequirePermissionOptions } from "../../packages/client/src/express.js";
import { KEYS, uid, useTestServer } from "../support/test-server.js";

const accord = useTestServer();
const doc = uid("doc");
const [alice, bob] = [uid("alice"), uid("bob")];

/** serve starts an Express app on a free port and returns its URL and a closer. */
async function serve(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** documents: GET /documents/:id needs view, as the user named by X-User. */
function documents(client: AccordClient | string, extra: Partial<RequirePermissionOptions> = {}): Express {
  const app = express();
  const accordClient = typeof client === "string" ? createAccordClient({ baseUrl: client, apiKey: KEYS.check, retry: { retries: 0 }, timeoutMs: 1_000 }) : client;
  app.get(
    "/documents/:id",
    requirePermission({ client: accordClient, resource: (req) => `resource:${req.params.id}`, permission: "view", subject: (req) => (req.get("x-user") ? `user:${req.get("x-user")}` : undefined), ...extra }),
    (req, res) => {
      res.json({ id: req.params.id, decision: req.accord });
    },
  );
  return app;
}

let service: { url: string; close(): Promise<void> };
let client: AccordClient;
beforeAll(async () => {
  expect((await accord.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: `resource:${doc}#viewer@user:${alice}` }] } })).status).toBe(200);
  client = createAccordClient({ baseUrl: accord.url, apiKey: KEYS.check });
  service = await serve(documents(client));
});
afterAll(async () => {
  await service?.close();
});

const get = (url: string, user?: string) => fetch(url, { headers: user ? { "x-user": user } : {} });

describe("requirePermission", () => {
  it("allowed: the route runs, with the decision on req.accord", async () => {
    const res = await get(`${service.url}/documents/${doc}`, alice);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.decision).toMatchObject({ allowed: true, resource: `resource:${doc}`, permission: "view", subject: `user:${alice}` });
    expect(typeof body.decision.zedToken).toBe("string");
  });

  it("denied: 403 problem+json; no subject (no user) and a malformed id are denied too", async () => {
    for (const [path, user] of [[`/documents/${doc}`, bob], [`/documents/${doc}`, undefined], ["/documents/not%20an%20id", alice]] as const) {
      const res = await get(service.url + path, user);
      expect(res.status, path).toBe(403);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(await res.json()).toMatchObject({ status: 403, code: "forbidden", title: "Forbidden" });
    }
  });

  it("onDenied answers instead, with the decision", async () => {
    const custom = await serve(documents(client, { onDenied: (_req, res, _next, decision) => void res.status(404).json({ hidden: decision.resource }) }));
    try {
      const res = await get(`${custom.url}/documents/${doc}`, bob);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ hidden: `resource:${doc}` });
    } finally {
      await custom.close();
    }
  });

  it("Accord unreachable: 503 problem+json (fail closed); failOpen lets the request through, marked", async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const closed = await serve(documents(nowhere));
    const open = await serve(documents(nowhere, { failOpen: true }));
    try {
      const refused = await get(`${closed.url}/documents/${doc}`, alice);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("content-type")).toContain("application/problem+json");
      expect(await refused.json()).toMatchObject({ status: 503, code: "authorization_unavailable" });
      const through = await get(`${open.url}/documents/${doc}`, alice);
      expect(through.status).toBe(200);
      expect((await through.json()).decision).toMatchObject({ allowed: false, failedOpen: true, error: { code: "network_error" } });
    } finally {
      await closed.close();
      await open.close();
    }
  });

  it("a key without the check scope is the service's error (next(err)), not a deny", async () => {
    const misconfigured = documents(createAccordClient({ baseUrl: accord.url, apiKey: "not-a-key-of-this-server-0123456789" }));
    let seen: unknown;
    misconfigured.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen = err;
      res.status(500).json({ error: "authorization check failed" });
    });
    const app = await serve(misconfigured);
    try {
      expect((await get(`${app.url}/documents/${doc}`, alice)).status).toBe(500);
      expect(seen).toMatchObject({ name: "AccordError", code: "unauthenticated", status: 401 });
    } finally {
      await app.close();
    }
  });

  it("concurrent requests share bulk calls", async () => {
    const before = await bulkCalls();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => get(`${service.url}/documents/${doc}`, i % 2 ? alice : bob)));
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? 200 : 403)));
    // The 20 requests arrive over a few ticks: fewer calls than requests.
    expect((await bulkCalls()) - before).toBeLessThan(20);
  });
});

async function bulkCalls(): Promise<number> {
  const text = (await accord.call("GET", "/metrics", { key: "check" })).body as string;
  return [...text.matchAll(/^accord_http_requests_total\{[^}]*route="\/v1\/check(?:\/bulk)?"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
