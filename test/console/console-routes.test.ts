// Pins how /console is served: a static page and hashed assets without credentials (mounted
// before authentication), a clear 503 problem when the console is not built, 404 for a
// missing asset.
import express from "express";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { consoleRoutes } from "../../src/http/routes/console-routes.js";
import { errorHandler } from "../../src/http/problem.js";
import { useTestServer, } from "../support/test-server.js";

/** serve mounts consoleRoutes(dir) alone, with the app's error mapping, on a free port. */
async function serve(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.use(consoleRoutes(dir));
  app.use(errorHandler);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe("console routes", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "accord-console-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("serves the built page and its hashed assets", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), '<!doctype html><script type="module" src="/console/assets/index-abc123.js"></script>');
    writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log('console');");
    const site = await serve(dir);
    try {
      const page = await fetch(`${site.url}/console`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.headers.get("cache-control")).toBe("no-cache");
      expect(await page.text()).toContain("/console/assets/index-abc123.js");
      const slash = await fetch(`${site.url}/console/`);
      expect(slash.status).toBe(200);

      const asset = await fetch(`${site.url}/console/assets/index-abc123.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toMatch(/javascript/);
      expect(asset.headers.get("cache-control")).toContain("immutable");

      const missing = await fetch(`${site.url}/console/assets/nope.js`);
      expect(missing.status).toBe(404);
      expect((await missing.json()).code).toBe("not_found");
    } finally {
      await site.close();
    }
  });

  it("answers 503 with a problem saying how to build when the console is not built", async () => {
    const site = await serve(tempDir());
    try {
      const res = await fetch(`${site.url}/console`);
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.headers.get("retry-after")).toBeNull();
      const problem = await res.json();
      expect(problem).toMatchObject({ status: 503, code: "unavailable" });
      expect(problem.detail).toContain("npm run build:console");
    } finally {
      await site.close();
    }
  });
});

describe("console routes in the app", () => {
  const server = useTestServer();

  it("is mounted before authentication, under helmet's Content-Security-Policy", async () => {
    // Whether this checkout has built the console or not, /console never asks for a key.
    const page = await server.call("GET", "/console", { key: null });
    expect([200, 503]).toContain(page.status);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
    const asset = await server.call("GET", "/console/assets/missing-0000.js", { key: null });
    expect(asset.status).toBe(404);
    // Everything else still needs credentials.
    expect((await server.call("GET", "/v1/orgs/acme", { key: null })).status).toBe(401);
  });
});
