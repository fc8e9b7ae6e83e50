// main: reads the configuration, composes Accord (src/compose.ts), listens, and shuts down
// gracefully on SIGTERM/SIGINT.
import type { Server } from "node:http";
import { composeServer } from "./compose.js";
import { loadConfig } from "./config.js";
import { createLogger } from "./logger.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const started = performance.now();
  const accord = await composeServer(config, logger);
  const server: Server = accord.app.listen(config.port, config.host, () => {
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
      await accord.close();
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
