// openapi builds the OpenAPI 3.1 document from the route docs each router exports next to its
// zod schemas — the same schemas `parse` validates requests with — and serves it at
// /openapi.json, with an interactive reference at /docs (swagger-ui-dist, served from
// node_modules: no CDN, it works on closed networks).
import express, { Router } from "express";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { z } from "zod";

export type Scope = "none" | "check" | "manage" | "admin";

/** RouteDoc describes one route: its zod schemas and an example request that must validate. */
export interface RouteDoc {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** Express-style path, e.g. /v1/orgs/:org/members/:user */
  path: string;
  summary: string;
  scope: Scope;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Success status (default 200). */
  status?: number;
  /** An example request body (validated against `body` by the test suite). */
  example?: unknown;
  /** The endpoint also needs the X-Actor header (product endpoints with an API key). */
  actor?: boolean;
  description?: string;
}

const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" }) as Record<string, unknown>;

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

const PROBLEM = {
  type: "object",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string" },
    field: { type: "string", description: "the failing request field (400 invalid_request)" },
  },
};

function operation(doc: RouteDoc) {
  const parameters: unknown[] = [...doc.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
  if (doc.query) {
    const schema = jsonSchema(doc.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      parameters.push({ name, in: "query", required: schema.required?.includes(name) ?? false, schema: property });
    }
  }
  if (doc.actor) {
    parameters.push({ name: "X-Actor", in: "header", required: false, description: "user:<id> on whose behalf an API key acts (not with a user JWT)", schema: { type: "string", pattern: "^user:[A-Za-z0-9_-]{1,128}$" } });
  }
  const op: Record<string, unknown> = {
    summary: doc.summary,
    tags: [doc.tag],
    parameters,
    responses: {
      [String(doc.status ?? 200)]: { description: "success", content: { "application/json": { schema: { type: "object" } } } },
      default: { description: "error (RFC 9457 problem)", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
    },
    "x-accord-scope": doc.scope,
  };
  if (doc.description) op.description = doc.description;
  if (doc.scope === "none") op.security = [];
  if (doc.body) {
    const content: Record<string, unknown> = { schema: jsonSchema(doc.body) };
    if (doc.example !== undefined) content.example = doc.example;
    op.requestBody = { required: true, content: { "application/json": content } };
  }
  return op;
}

/** buildOpenApi assembles the document; every route appears once per method and path. */
export function buildOpenApi(docs: RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    const key = openApiPath(doc.path);
    paths[key] ??= {};
    paths[key][doc.method] = operation(doc);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Accord",
      version,
      description: "Relationship-based authorization server: an HTTP facade over SpiceDB. Errors are application/problem+json (RFC 9457).",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API key (scopes check/manage/admin) or a user's JWT" } },
      schemas: { Problem: PROBLEM },
    },
    paths,
  };
}

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Accord API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: false });`;

/** docsRoutes serves /openapi.json and /docs; they describe the API and hold no data. */
export function docsRoutes(document: () => Record<string, unknown>): Router {
  const router = Router();
  const assets = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  let cached: string | undefined;
  router.get("/openapi.json", (_req, res) => {
    cached ??= JSON.stringify(document());
    res.type("application/json").send(cached);
  });
  router.get("/docs", (_req, res) => {
    res.type("html").send(DOCS_PAGE);
  });
  router.get("/docs/init.js", (_req, res) => {
    res.type("application/javascript").send(DOCS_INIT);
  });
  router.use("/docs/assets", express.static(assets, { index: false, maxAge: "1h" }));
  return router;
}
