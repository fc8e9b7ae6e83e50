// server-worker runs Accord (buildApp on the embedded engine) in a worker thread, so the
// load generator in the main thread does not share its event loop, and reports the worker's
// own event-loop delay on request.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import type { AddressInfo } from "node:net";
import { buildApp } from "../../src/app.js";
import { EmbeddedEngine } from "../../src/engine/embedded-engine.js";
import { ApiKeyRing } from "../../src/http/api-keys.js";
import { createLogger } from "../../src/logger.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";

const { schema, dataDir, key } = workerData as { schema: string; dataDir: string; key: string };
const started = performance.now();
const engine = await EmbeddedEngine.open({ schema, dataDir });
const openMs = performance.now() - started;
const store = new SqliteStore(dataDir);
const app = buildApp({ engine, store, keys: ApiKeyRing.fromConfig([{ name: "bench", key, scopes: ["admin"] }]), logger: createLogger("silent") });
const server = app.listen(0, "127.0.0.1", () => {
  parentPort!.postMessage({ type: "ready", port: (server.address() as AddressInfo).port, openMs, stats: engine.stats });
});
const delay = monitorEventLoopDelay({ resolution: 1 });
parentPort!.on("message", async (message: { type: string }) => {
  if (message.type === "eld-start") {
    delay.reset();
    delay.enable();
  } else if (message.type === "eld-stop") {
    delay.disable();
    parentPort!.postMessage({ type: "eld", p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 });
  } else if (message.type === "close") {
    server.close();
    await engine.close();
    await store.close();
    parentPort!.postMessage({ type: "closed" });
  }
});
