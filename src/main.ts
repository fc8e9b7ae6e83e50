// main: reads the configuration, opens the engine, serves HTTP, and shuts down gracefully.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Server } from "node:http";
import { buildApp, grpcEndpointDeps } from "./app.js";
import { loadConfig } from "./config.js";
import { EmbeddedEngine } from "./engine/embedded-engine.js";
import { lowerThreadPriority } from "./engine/embedded/thread-priority.js";
import { buildCheckPath } from "./engine/fast-check-path.js";
import type { Engine } from "./engine/engine.js";
import { startGrpcEndpoint, type GrpcEndpoint } from "./grpc/grpc-endpoint.js";
import { RemoteEngine } from "./engine/remote-engine.js";
import { createKey, keyFileRing } from "./http/api-keys.js";
import { JwtVerifier } from "./http/jwt-verifier.js";
import { createLogger } from "./logger.js";
import { PostgresStore } from "./store/postgres-store.js";
import { SqliteStore } from "./store/sqlite-store.js";
import type { Store } from "./store/store.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const started = performance.now();
  const schema = readFileSync(resolve(config.schemaFile), "utf8");
  const dataDir = resolve(config.dataDir);
  // Remote mode (scale-out): SpiceDB cluster + PostgreSQL, nothing kept on this replica's disk.
  let engine: Engine;
  let store: Store;
  if (config.spicedb) {
    engine = await RemoteEngine.connect({ ...config.spicedb, schema });
    store = await PostgresStore.open({ connectionString: config.databaseUrl! });
    logger.info({ endpoint: config.spicedb.endpoint }, "remote engine and PostgreSQL store ready");
    const watch = await engine.watchAvailability();
    if (!watch.available) logger.warn(`watch unavailable: ${watch.reason} (GET /v1/watch answers 503; everything else works)`);
  } else {
    const embedded = await EmbeddedEngine.open({ schema, dataDir });
    logger.info({ dataDir, ...embedded.stats }, "embedded engine ready");
    // The engine's threads yield the CPU to the event loop (and so to cache hits).
    if (config.engineNice > 0) lowerThreadPriority({ nice: config.engineNice });
    engine = embedded;
    store = new SqliteStore(dataDir);
  }

  const keysFile = config.apiKeysFile ? resolve(config.apiKeysFile) : join(dataDir, "api-keys.json");
  if (!config.apiKeys && !existsSync(keysFile)) {
    if (config.spicedb) throw new Error("remote mode needs ACCORD_API_KEYS (or a mounted key file): replicas must share their keys");
    const generated = createKey(keysFile, "admin", ["admin"]);
    // Printed once, to the terminal only (not through the logger): only its hash is kept.
    process.stdout.write(
      `\n  No ACCORD_API_KEYS configured: generated an admin API key (shown only this once):\n\n    ${generated}\n\n  Its hash is stored in ${keysFile}.\n\n`,
    );
  }
  const keys = keyFileRing(keysFile, config.apiKeys ?? [], (err) => logger.error({ err: err.message }, "API key file ignored: it does not parse"));
  const jwt = new JwtVerifier(config.jwt);

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
    jwt,
    logger,
    bodyLimit: config.bodyLimit,
    maxBulkItems: config.maxBulkItems,
    limits: config.limits,
    metricsPublic: config.metricsPublic,
    invitationTtl: config.invitationTtl,
  });
  const server: Server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    logger.info({ port, host: config.host, startMs: Math.round(performance.now() - started) }, `accord listening on http://${config.host}:${port}`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    server.close(async () => {
      await grpcEndpoint?.close();
      await engine.close();
      await store.close();
      clearTimeout(force);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  process.stderr.write(`accord failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
