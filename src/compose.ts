// compose: the one composition root. It builds, in one place, everything a running Accord is
// made of — engine (with its check path: cache and coalescer), store, API keys, metrics, the
// audited engine the use cases write through, and every use case — and hands them to the HTTP
// app, the SpiceDB gRPC endpoint and the CLI. Nothing else constructs these.
//
//   main.ts / cli ── composeServer(config) ─┬─ openBackends: engine + store (embedded or remote)
//                                           ├─ buildCheckPath: cache → coalescer → engine
//                                           ├─ composeServices: metrics → audit → use cases
//                                           ├─ buildHttpApp(use cases)
//                                           └─ startGrpcEndpoint(audited engine)
// Tests and the bench build the same app with buildApp(deps), on their own engine and store.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Express } from "express";
import type { Logger } from "pino";
import { ApiKeyRing, createKey, keyFileRing } from "./auth/api-keys.js";
import { JwtVerifier } from "./auth/jwt-verifier.js";
import type { Config } from "./config.js";
import { auditEngine } from "./domain/audit/audited-engine.js";
import { reportingStoreErrors } from "./domain/errors.js";
import { DEFAULT_INVITATION_TTL, parseDuration } from "./domain/invitations/invitation-ttl.js";
import { KeyedMutex, type CrossProcessLock } from "./domain/keyed-mutex.js";
import { createUseCases, type UseCases } from "./domain/use-cases.js";
import { lowerThreadPriority } from "./engine/embedded/thread-priority.js";
import { EmbeddedEngine } from "./engine/embedded/embedded-engine.js";
import type { Engine } from "./engine/engine.js";
import { CheckCache } from "./engine/cache/check-cache.js";
import { buildCheckPath, type CheckPath } from "./engine/cache/fast-check-path.js";
import { instrumentEngine } from "./engine/instrumented-engine.js";
import { RemoteEngine } from "./engine/remote/remote-engine.js";
import { WalFlush } from "./store/wal-flush.js";
import { auditedCallScope } from "./grpc/audited-scope.js";
import { startGrpcEndpoint, type GrpcEndpoint } from "./grpc/grpc-endpoint.js";
import type { CallScope } from "./grpc/service-definition.js";
import { buildHttpApp, type HttpDeps } from "./http/app.js";
import { Metrics } from "./http/metrics.js";
import { PostgresStore } from "./store/postgres-store.js";
import { SqliteStore } from "./store/sqlite-store.js";
import type { Store } from "./store/store.js";

/** ServiceParts are what the use cases are built on. */
export interface ServiceParts {
  /** The engine with its check path in front (buildCheckPath). */
  engine: Engine;
  store: Store;
  logger: Logger;
  metrics?: Metrics;
  /** The clock of invitation expiry and audit times (tests inject one to expire without sleeping). */
  now?: () => Date;
  /** How long invitations stay open, e.g. "7d" (ACCORD_INVITATION_TTL). */
  invitationTtl?: string;
}

export interface Services {
  useCases: UseCases;
  metrics: Metrics;
}

/** auditedEngine wraps an engine so that every change through it leaves an audit entry (written ahead of the change). */
function auditedEngine(engine: Engine, store: Store, logger: Logger, now: () => Date): Engine {
  return auditEngine(engine, {
    store,
    now,
    onUnconfirmed: (err) => logger.warn({ err }, "a change was applied but its audit entry could not be marked committed"),
  });
}

/** composeServices builds every use case on the engine as they see it: instrumented (metrics) and audited. */
export function composeServices(parts: ServiceParts): Services {
  const metrics = parts.metrics ?? new Metrics();
  if (parts.engine instanceof CheckCache) metrics.observeCache(() => (parts.engine as CheckCache).stats());
  const now = parts.now ?? (() => new Date());
  const store = reportingStoreErrors(parts.store);
  const engine = auditedEngine(instrumentEngine(parts.engine, metrics.engineObserver()), store, parts.logger, now);
  // Remote mode's store locks across replicas (PostgreSQL advisory locks); SQLite is one process.
  const shared: CrossProcessLock | undefined = store.runExclusive ? (store as CrossProcessLock) : undefined;
  const useCases = createUseCases({
    engine,
    store,
    locks: new KeyedMutex(shared),
    now,
    invitationTtlMs: parseDuration(parts.invitationTtl ?? DEFAULT_INVITATION_TTL),
  });
  return { useCases, metrics };
}

export interface AppDeps extends ServiceParts, Omit<HttpDeps, "useCases" | "metrics" | "keys"> {
  /** The API keys, or a function returning the current ones (key files reload on change). */
  keys: ApiKeyRing | (() => ApiKeyRing);
}

/** buildApp composes the services and the HTTP app over them (tests and the bench use it with their own engine and store). */
export function buildApp(deps: AppDeps): Express {
  const { useCases, metrics } = composeServices(deps);
  const keys = deps.keys instanceof ApiKeyRing ? ((ring: ApiKeyRing) => () => ring)(deps.keys) : deps.keys;
  return buildHttpApp({ ...deps, useCases, metrics, keys });
}

/**
 * grpcEndpointDeps is what the SpiceDB gRPC endpoint (ACCORD_GRPC_PORT) serves through, so that
 * its writes are audited like raw writes over HTTP, in the same store: an audited engine and the
 * scope that names each call's key. Give it the engine below the check path (never an audited
 * one: the change would be recorded twice).
 */
export function grpcEndpointDeps(deps: { engine: Engine; store: Store; logger: Logger; now?: () => Date }): { engine: Engine; scope: CallScope } {
  return { engine: auditedEngine(deps.engine, reportingStoreErrors(deps.store), deps.logger, deps.now ?? (() => new Date())), scope: auditedCallScope };
}

export interface Backends {
  engine: Engine;
  store: Store;
  mode: "embedded" | "remote";
  close(): Promise<void>;
}

/**
 * openBackends opens the engine and store an installation is configured with: embedded under
 * ACCORD_DATA_DIR, or SPICEDB_ENDPOINT + DATABASE_URL (remote mode: nothing on this replica's disk).
 */
export async function openBackends(config: Readonly<Config>): Promise<Backends> {
  const schema = readFileSync(resolve(config.schemaFile), "utf8");
  const closeBoth = (engine: Engine, store: Store) => async () => {
    await engine.close();
    await store.close();
  };
  if (config.spicedb) {
    // One engine call gives up (503) before the request's own time limit (504) would answer for it.
    const callTimeoutMs = Math.min(10_000, Math.max(1_000, Math.floor(config.limits.requestTimeoutMs * 0.75)));
    const engine = await RemoteEngine.connect({ ...config.spicedb, schema, callTimeoutMs });
    const store = await PostgresStore.open({ connectionString: config.databaseUrl! });
    return { engine, store, mode: "remote", close: closeBoth(engine, store) };
  }
  // One fsync round covers the journal and the app state (src/store/wal-flush.ts).
  const walFlush = new WalFlush();
  const engine = await EmbeddedEngine.open({ schema, dataDir: resolve(config.dataDir), walFlush });
  const store = await SqliteStore.open(resolve(config.dataDir), walFlush);
  return { engine, store, mode: "embedded", close: closeBoth(engine, store) };
}

/** ComposedServer is a configured Accord, ready to listen. */
export interface ComposedServer {
  app: Express;
  checkPath: CheckPath;
  grpcEndpoint?: GrpcEndpoint;
  /** close stops the gRPC endpoint, then closes the engine and the store. */
  close(): Promise<void>;
}

/** composeServer builds a whole Accord from its configuration (npm start, `accord serve`). */
export async function composeServer(config: Readonly<Config>, logger: Logger): Promise<ComposedServer> {
  const backends = await openBackends(config);
  const { engine, store } = backends;
  if (backends.mode === "remote") {
    logger.info({ endpoint: config.spicedb!.endpoint }, "remote engine and PostgreSQL store ready");
    const watch = await engine.watchAvailability();
    if (!watch.available) logger.warn(`watch unavailable: ${watch.reason} (GET /v1/watch answers 503; everything else works)`);
  } else {
    logger.info({ dataDir: resolve(config.dataDir), ...(engine as EmbeddedEngine).stats }, "embedded engine ready");
    // The engine's threads yield the CPU to the event loop (and so to cache hits).
    if (config.engineNice > 0) lowerThreadPriority({ nice: config.engineNice });
  }

  const keys = openKeys(config, logger);
  let grpcEndpoint: GrpcEndpoint | undefined;
  if (config.grpc) {
    // Its writes are audited in the same store as those over HTTP, under the calling key's name.
    grpcEndpoint = await startGrpcEndpoint({ ...grpcEndpointDeps({ engine, store, logger }), keys, host: config.grpc.host, port: config.grpc.port });
    logger.info({ port: grpcEndpoint.port, host: config.grpc.host }, "SpiceDB gRPC endpoint listening (bearer: an admin API key)");
  }
  // Checks go through the exact cache and the coalescer; everything else reaches the engine as is.
  const checkPath = buildCheckPath(engine, config.checkPath);
  const app = buildApp({
    engine: checkPath.engine,
    store,
    keys,
    jwt: new JwtVerifier(config.jwt),
    logger,
    bodyLimit: config.bodyLimit,
    maxBulkItems: config.maxBulkItems,
    limits: config.limits,
    metricsPublic: config.metricsPublic,
    invitationTtl: config.invitationTtl,
  });
  return {
    app,
    checkPath,
    grpcEndpoint,
    async close() {
      await grpcEndpoint?.close();
      await backends.close();
    },
  };
}

/**
 * openKeys reads the API keys: ACCORD_API_KEYS plus the key file (reloaded when it changes). On
 * an embedded first start with no keys at all, it makes an admin key, keeps only its hash and
 * prints the key once, to the terminal only (never through the logger).
 */
function openKeys(config: Readonly<Config>, logger: Logger): () => ApiKeyRing {
  const keysFile = config.apiKeysFile ? resolve(config.apiKeysFile) : join(resolve(config.dataDir), "api-keys.json");
  if (!config.apiKeys && !existsSync(keysFile)) {
    if (config.spicedb) throw new Error("remote mode needs ACCORD_API_KEYS (or a mounted key file): replicas must share their keys");
    const generated = createKey(keysFile, "admin", ["admin"]);
    process.stdout.write(
      `\n  No ACCORD_API_KEYS configured: generated an admin API key (shown only this once):\n\n    ${generated}\n\n  Its hash is stored in ${keysFile}.\n\n`,
    );
  }
  return keyFileRing(keysFile, config.apiKeys ?? [], (err) => logger.error({ err: err.message }, "API key file ignored: it does not parse"));
}
