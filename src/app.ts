// app: the composition root. Wires the logger, engine, use-cases and routes into an Express
// app. Tests build the very same app with their own engine and keys (buildApp(deps)).
import express, { type Express } from "express";
import { pinoHttp } from "pino-http";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { EngineError, type Engine } from "./engine/engine.js";
import type { CallScope } from "./grpc/service-definition.js";
import type { Store } from "./store/store.js";
import { createCheckBulkPermissions } from "./domain/permissions/check-bulk-permissions.js";
import { createCheckPermission } from "./domain/permissions/check-permission.js";
import { createDeleteRelationships } from "./domain/relationships/delete-relationships.js";
import { DomainError, engineCall, notFound } from "./domain/errors.js";
import { createExplainPermission } from "./domain/access/explain-permission.js";
import { createLookupResources } from "./domain/permissions/lookup-resources.js";
import { createLookupSubjects } from "./domain/permissions/lookup-subjects.js";
import { createReadRelationships } from "./domain/relationships/read-relationships.js";
import { createWriteRelationships } from "./domain/relationships/write-relationships.js";
import { createWriteSchema } from "./domain/schema/write-schema.js";
import { createValidateSchema } from "./domain/schema/validate-schema.js";
import { ApiKeyRing } from "./http/api-keys.js";
import { authenticate, requireScope } from "./http/authenticate.js";
import type { JwtVerifier } from "./http/jwt-verifier.js";
import { applyLimits, DEFAULT_LIMITS } from "./http/limits.js";
import { fastCheck, serveFastChecksFirst } from "./http/fast-check.js";
import { Metrics } from "./http/metrics.js";
import { errorHandler } from "./http/problem.js";
import type { Limits } from "./config.js";
import { instrumentEngine } from "./engine/instrumented-engine.js";
import { auditEngine } from "./domain/audit/audited-engine.js";
import { runInOperation } from "./domain/audit/audit-context.js";
import { DEFAULT_INVITATION_TTL, parseDuration } from "./domain/invitations/invitation-ttl.js";
import { KeyedMutex, type CrossProcessLock } from "./domain/keyed-mutex.js";
import { REQUEST_ID, requestContext } from "./http/request-context.js";
import { buildOpenApi, docsRoutes, type RouteDoc } from "./http/openapi.js";
import { healthRouteDocs, healthRoutes } from "./http/routes/health-routes.js";
import { answerCheck, permissionRouteDocs, permissionRoutes } from "./http/routes/permission-routes.js";
import { relationshipRouteDocs, relationshipRoutes } from "./http/routes/relationship-routes.js";
import { organizationRouteDocs, organizationRoutes } from "./http/routes/organization-routes.js";
import { groupRouteDocs } from "./http/routes/group-routes.js";
import { roleRouteDocs } from "./http/routes/role-routes.js";
import { projectRouteDocs, projectRoutes } from "./http/routes/project-routes.js";
import { resourceRouteDocs, resourceRoutes } from "./http/routes/resource-routes.js";
import { accessRouteDocs, accessRoutes } from "./http/routes/access-routes.js";
import { invitationRouteDocs, invitationRoutes } from "./http/routes/invitation-routes.js";
import { planRouteDocs, planRoutes } from "./http/routes/plan-routes.js";
import { auditRouteDocs, auditRoutes } from "./http/routes/audit-routes.js";
import { watchRouteDocs, watchRoutes } from "./http/routes/watch-routes.js";
import { consoleRoutes } from "./http/routes/console-routes.js";

export interface AppDeps {
  engine: Engine;
  store: Store;
  /** The API keys, or a function returning the current ones (key files reload on change). */
  keys: ApiKeyRing | (() => ApiKeyRing);
  logger: Logger;
  bodyLimit?: string;
  maxBulkItems?: number;
  jwt?: JwtVerifier;
  limits?: Partial<Limits>;
  metrics?: Metrics;
  /** Serve /metrics without credentials. */
  metricsPublic?: boolean;
  /** The clock of invitation expiry and audit times (tests inject one to expire without sleeping). */
  now?: () => Date;
  /** How long invitations stay open, e.g. "7d" (ACCORD_INVITATION_TTL). */
  invitationTtl?: string;
}

export type UseCases = ReturnType<typeof createUseCases>;

function createUseCases(engine: Engine) {
  return {
    checkPermission: createCheckPermission({ engine }),
    checkBulkPermissions: createCheckBulkPermissions({ engine }),
    lookupResources: createLookupResources({ engine }),
    lookupSubjects: createLookupSubjects({ engine }),
    explainPermission: createExplainPermission({ engine }),
    readRelationships: createReadRelationships({ engine }),
    writeRelationships: createWriteRelationships({ engine }),
    deleteRelationships: createDeleteRelationships({ engine }),
    readSchema: () => engineCall(() => engine.readSchema()),
    writeSchema: createWriteSchema({ engine }),
    validateSchema: createValidateSchema(),
  };
}

/** ProductDeps is what every product router receives; it builds its own use-cases from it. */
export interface ProductDeps {
  engine: Engine;
  store: Store;
  /** One lock per organization or project (`organization:<id>`, `project:<id>`) shared by every router. */
  locks: KeyedMutex;
  now: () => Date;
  invitationTtlMs: number;
}

const PRODUCT_ROUTES: Array<(deps: ProductDeps) => express.Router> = [
  projectRoutes,
  resourceRoutes,
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

/** auditedEngine wraps an engine so that every change through it leaves an audit entry (written ahead of the change). */
function auditedEngine(engine: Engine, deps: Pick<AppDeps, "store" | "logger">, now: () => Date): Engine {
  return auditEngine(engine, {
    store: deps.store,
    now,
    onUnconfirmed: (err) => deps.logger.warn({ err }, "a change was applied but its audit entry could not be marked committed"),
  });
}

/** grpcOperation opens a gRPC call's audit context: the key is principal and actor; the action names the method. */
const grpcOperation: CallScope = async (caller, work) => {
  const principal = `key:${caller.keyName}`;
  try {
    return await runInOperation({ principal, actor: principal, action: () => `gRPC ${caller.method}`, target: () => undefined }, work);
  } catch (err) {
    // An audit log that cannot be written changed nothing: UNAVAILABLE tells clients to retry.
    if (err instanceof DomainError && (err.failure.kind === "unavailable" || err.failure.kind === "engine_unavailable")) throw new EngineError({ kind: "unavailable", message: err.message });
    throw err;
  }
};

/**
 * grpcEndpointDeps is what the SpiceDB gRPC endpoint (ACCORD_GRPC_PORT) serves through, so that
 * its writes are audited like raw writes over HTTP, in the same store: an audited engine and the
 * scope that names each call's key. Give it the engine buildApp is given, or one below it (never
 * an audited one: the change would be recorded twice).
 */
export function grpcEndpointDeps(deps: Pick<AppDeps, "engine" | "store" | "logger" | "now">): { engine: Engine; scope: CallScope } {
  return { engine: auditedEngine(deps.engine, deps, deps.now ?? (() => new Date())), scope: grpcOperation };
}

const VERSION = "0.1.0";

export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  const metrics = deps.metrics ?? new Metrics();
  const now = deps.now ?? (() => new Date());
  const invitationTtlMs = parseDuration(deps.invitationTtl ?? DEFAULT_INVITATION_TTL);
  // Every change through this engine leaves an audit entry (written ahead of the change).
  const engine = auditedEngine(instrumentEngine(deps.engine, metrics.engineObserver()), deps, now);
  const useCases = createUseCases(engine);
  const keys = deps.keys instanceof ApiKeyRing ? ((ring: ApiKeyRing) => () => ring)(deps.keys) : deps.keys;

  // POST /v1/check's common case is served ahead of Express, with the same parts (a rate limit
  // is Express's alone, so with one configured every request goes through the chain below).
  // Either way requests are served in turns (http/request-turns.ts).
  const fast = deps.limits?.ratePerSecond
    ? undefined
    : fastCheck({
        keys,
        jwt: deps.jwt,
        answer: (body) => answerCheck(useCases, metrics, body),
        metrics,
        logger: deps.logger,
        requestTimeoutMs: deps.limits?.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs,
      });
  serveFastChecksFirst(app, fast);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers["x-request-id"];
        const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader("X-Request-Id", id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : "info"),
    }),
  );
  app.use(metrics.middleware());
  applyLimits(app, "before-auth", deps.limits);
  app.use(healthRoutes(engine));
  // The API description holds no data: served without credentials, like /healthz.
  app.use(docsRoutes(() => buildOpenApi(routeDocs(deps.maxBulkItems), VERSION)));
  app.use(consoleRoutes()); // the admin console: a static page; its API calls carry the key
  const serveMetrics: express.RequestHandler = async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
  if (deps.metricsPublic) app.get("/metrics", serveMetrics);
  app.use(authenticate(keys, deps.jwt));
  if (!deps.metricsPublic) app.get("/metrics", requireScope("check"), serveMetrics);
  applyLimits(app, "after-auth", deps.limits);
  app.use(express.json({ limit: deps.bodyLimit ?? "1mb", strict: false, type: ["application/json", "application/*+json"] }));
  app.use(requestContext());
  app.use(permissionRoutes(useCases, { maxBulkItems: deps.maxBulkItems ?? 1000, metrics }));
  app.use(relationshipRoutes(useCases));
  // Product routers (organizations, projects, groups, roles, resources, …), scope `manage`.
  // Remote mode's store locks across replicas (PostgreSQL advisory locks); SQLite is one process.
  const shared: CrossProcessLock | undefined = deps.store.runExclusive ? (deps.store as CrossProcessLock) : undefined;
  const product: ProductDeps = { engine, store: deps.store, locks: new KeyedMutex(shared), now, invitationTtlMs };
  for (const routes of PRODUCT_ROUTES) app.use(routes(product));
  app.use((req, _res, next) => next(notFound(`no route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}
