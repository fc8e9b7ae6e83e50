// Pins the API description: /openapi.json (OpenAPI 3.1 from the zod schemas) documents every
// mounted route, every documented example validates against its schema, and /docs is served
// from the package (no CDN).
import type { Express } from "express";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/compose.js";
import { routeDocs } from "../src/http/app.js";
import { ApiKeyRing } from "../src/auth/api-keys.js";
import { createLogger } from "../src/logger.js";
import { parse } from "../src/http/validation.js";
import { useTestServer, } from "./support/test-server.js";

const server = useTestServer();

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** mountedRoutes walks Express's router stack: every route a request can reach. */
function mountedRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== "_all") out.push(`${method} ${layer.route.path}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

describe("OpenAPI", () => {
  it("documents every mounted route", () => {
    const app = buildApp({ engine: server.engine, store: server.store, keys: ApiKeyRing.fromConfig([]), logger: createLogger("silent") });
    const documented = new Set(routeDocs().map((d) => `${d.method} ${d.path}`));
    const internal = new Set(["get /openapi.json", "get /docs", "get /docs/init.js", "get /metrics", "get /console"]);
    const undocumented = mountedRoutes(app).filter((r) => !documented.has(r) && !internal.has(r));
    expect(undocumented).toEqual([]);
  });

  it("has a valid example for every documented request body", () => {
    for (const doc of routeDocs()) {
      if (!doc.body) continue;
      expect(doc.example, `${doc.method} ${doc.path} has no example`).toBeDefined();
      expect(() => parse(doc.body!, doc.example), `${doc.method} ${doc.path}`).not.toThrow();
    }
  });

  it("serves an OpenAPI 3.1 document without credentials", async () => {
    const res = await server.call("GET", "/openapi.json", { key: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const check = res.body.paths["/v1/check"].post;
    expect(check.requestBody.content["application/json"].schema.required).toEqual(["resource", "permission", "subject"]);
    expect(check.responses.default.content["application/problem+json"]).toBeDefined();
  });

  it("serves the interactive reference and its assets from node_modules", async () => {
    const page = await server.call("GET", "/docs", { key: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain("/docs/assets/swagger-ui-bundle.js");
    expect(page.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    const asset = await fetch(`${server.url}/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect((await asset.text()).length).toBeGreaterThan(100_000);
  });
});
