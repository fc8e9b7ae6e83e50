// app: the HTTP face of Accord. Builds the Express app over the use cases the composition root
// (src/compose.ts) made: middleware in one order, then the routes, each of which only parses,
// calls one use case and maps the answer.
import express, { type Express } from "express";
import type { Logger } from "pino";
import type { ApiKeyRing } from "../auth/api-keys.js";
import type { JwtVerifier } from "../auth/jwt-verifier.js";
import type { Limits } from "../config.js";
import { notFound } from "../domain/errors.js";
import type { UseCases } from "../domain/use-cases.js";
import { fastCheck, serveFastChecksFirst } from "./fast-check.js";
import { requireScope } from "./guards.js";
import { corsFor, DEFAULT_LIMITS } from "./limits.js";
import type { Metrics } from "./metrics.js";
import { buildOpenApi, docsRoutes, type RouteDoc } from "./openapi.js";
import { authenticate, beginRequest, rateLimited } from "./pipeline/express-stages.js";
import { createRateLimit } from "./pipeline/rate-limit.js";
import { errorHandler } from "./problem.js";
import { requestContext } from "./request-context.js";
import { accessRouteDocs, accessRoutes } from "./routes/access-routes.js";
import { auditRouteDocs, auditRoutes } from "./routes/audit-routes.js";
import { consoleRoutes } from "./routes/console-routes.js";
import { contentRouteDocs, contentRoutes } from "./routes/content-routes.js";
import { groupRouteDocs } from "./routes/group-routes.js";
import { healthRouteDocs, healthRoutes } from "./routes/health-routes.js";
import { invitationRouteDocs, invitationRoutes } from "./routes/invitation-routes.js";
import { organizationRouteDocs, organizationRoutes } from "./routes/organization-routes.js";
import { answerCheck, permissionRouteDocs, permissionRoutes } from "./routes/permission-routes.js";
import { planRouteDocs, planRoutes } from "./routes/plan-routes.js";
import { projectRouteDocs, projectRoutes } from "./routes/project-routes.js";
import { relationshipRouteDocs, relationshipRoutes } from "./routes/relationship-routes.js";
import { resourceRouteDocs, resourceRoutes } from "./routes/resource-routes.js";
import { roleRouteDocs } from "./routes/role-routes.js";
import { watchRouteDocs, watchRoutes } from "./routes/watch-routes.js";

export interface HttpDeps {
  useCases: UseCases;
  /** The current API keys (key files reload on change). */
  keys: () => ApiKeyRing;
  jwt?: JwtVerifier;
  logger: Logger;
  metrics: Metrics;
  /** Serve /metrics without credentials. */
  metricsPublic?: boolean;
  bodyLimit?: string;
  maxBulkItems?: number;
  limits?: Partial<Limits>;
  /** Serve POST /v1/check's common case ahead of Express (default true; false sends every request through Express). */
  fastCheckPath?: boolean;
}

/** Product routers (organizations with their groups and roles, projects, resources, …), scope `manage`. */
const PRODUCT_ROUTES: Array<(useCases: UseCases) => express.Router> = [
  projectRoutes,
  resourceRoutes,
  contentRoutes,
  accessRoutes,
  organizationRoutes,
  invitationRoutes,
  planRoutes,
  auditRoutes,
  watchRoutes,
];

/** PRODUCT_ROUTE_DOCS documents the product routers in /openapi.json (one list per router). */
const PRODUCT_ROUTE_DOCS: RouteDoc[][] = [
  projectRouteDocs(),
  resourceRouteDocs(),
  contentRouteDocs(),
  accessRouteDocs(),
  organizationRouteDocs(),
  groupRouteDocs(),
  roleRouteDocs(),
  invitationRouteDocs(),
  planRouteDocs(),
  auditRouteDocs(),
  watchRouteDocs(),
];

/** routeDocs lists the documentation of every route this app mounts. */
export function routeDocs(maxBulkItems = 1000): RouteDoc[] {
  return [...healthRouteDocs, ...permissionRouteDocs(maxBulkItems), ...relationshipRouteDocs(), ...PRODUCT_ROUTE_DOCS.flat()];
}

const VERSION = "0.1.0";

export function buildHttpApp(deps: HttpDeps): Express {
  const { useCases, metrics, keys, logger } = deps;
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const callers = { keys, jwt: deps.jwt };
  const rateLimit = createRateLimit(limits);
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");

  // One request pipeline (./pipeline/): the fast path serves POST /v1/check's common case ahead
  // of Express through the same stages as the chain below. Either way requests are served in
  // turns (request-turns.ts).
  const fast =
    deps.fastCheckPath === false
      ? undefined
      : fastCheck({ ...callers, answer: (body) => answerCheck(useCases, metrics, body), metrics, logger, requestTimeoutMs: limits.requestTimeoutMs, rateLimit });
  serveFastChecksFirst(app, fast);
  app.use(beginRequest({ logger, metrics, requestTimeoutMs: limits.requestTimeoutMs }));
  const cors = corsFor(limits);
  if (cors) app.use(cors);
  app.use(healthRoutes(useCases));
  // The API description holds no data: served without credentials, like /healthz.
  app.use(docsRoutes(() => buildOpenApi(routeDocs(deps.maxBulkItems), VERSION)));
  app.use(consoleRoutes()); // the admin console: a static page; its API calls carry the key
  const serveMetrics: express.RequestHandler = async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
  if (deps.metricsPublic) app.get("/metrics", serveMetrics);
  app.use(authenticate(callers));
  if (!deps.metricsPublic) app.get("/metrics", requireScope("check"), serveMetrics);
  if (rateLimit) app.use(rateLimited(rateLimit));
  app.use(express.json({ limit: deps.bodyLimit ?? "1mb", strict: false, type: ["application/json", "application/*+json"] }));
  app.use(requestContext());
  app.use(permissionRoutes(useCases, { maxBulkItems: deps.maxBulkItems ?? 1000, metrics }));
  app.use(relationshipRoutes(useCases));
  for (const routes of PRODUCT_ROUTES) app.use(routes(useCases));
  app.use((req, _res, next) => next(notFound(`no route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}
