// remote-bed opens what the remote cache suites run on: a CheckCache over a RemoteEngine whose
// watch goes through a proxy that can be cut, another RemoteEngine to compare with, and writes
// made directly to SpiceDB with authzed-node (npm run test:remote: Accord's own gRPC endpoint;
// npm run test:spicedb: a real SpiceDB on PostgreSQL).
import { v1 } from "@authzed/authzed-node";
import { expect } from "vitest";
import { CheckCache } from "../../src/engine/cache/check-cache.js";
import type { WatchedEngine } from "../../src/engine/cache/watch-watermark.js";
import type { Engine, RelationshipUpdate } from "../../src/engine/engine.js";
import type { RemoteEngine, RemoteEngineOptions } from "../../src/engine/remote/remote-engine.js";
import { toRelationshipUpdate } from "../../src/engine/spicedb/relationship-codec.js";
import { startTcpProxy, type TcpProxy } from "../remote/tcp-proxy.js";
import { REAL_SPICEDB } from "../remote/test-mode.js";

export interface Bed {
  /** The cache over a RemoteEngine; its watch goes through a proxy that can be cut. */
  cache: CheckCache;
  engine: RemoteEngine;
  /** Another RemoteEngine on the same SpiceDB (fully consistent checks to compare with). */
  truth: RemoteEngine;
  /** Writes made directly to SpiceDB with authzed-node: not through this replica. */
  direct: Pick<Engine, "write">;
  proxy: TcpProxy;
  close(): Promise<void>;
}

/**
 * openBed starts the backends. On a real SpiceDB its PostgreSQL is a cluster of the bed's own:
 * transaction ids are the cluster's, and this replica proves its own writes exact only when no
 * other transaction took one in between (watch-watermark.ts) — other test files' would.
 */
export async function openBed(schema: string): Promise<Bed> {
  const backends = REAL_SPICEDB ? await (await import("../spicedb/real-engine.js")).startRealEngine({ ownPostgres: true }) : await (await import("../remote/remote-backends.js")).startRemoteBackends();
  const token = REAL_SPICEDB ? (await import("../spicedb/real-engine.js")).SPICEDB_KEY : (await import("../remote/remote-backends.js")).ENGINE_TOKEN;
  const [host, port] = backends.endpoint.split(",")[0]!.split(":");
  const proxy = await startTcpProxy({ host: host!, port: Number(port) });
  const options: Partial<RemoteEngineOptions> = { schema };
  const engine = await backends.remoteEngine(options);
  const watcher = await backends.remoteEngine({ ...options, endpoint: `127.0.0.1:${proxy.port}` });
  const truth = await backends.remoteEngine(options);
  // The cache hears of changes on the watcher (through the proxy) and serves the engine's requests.
  const source: WatchedEngine = {
    watch: (from, signal, watchOptions) => watcher.watch(from, signal, watchOptions),
    readSchema: () => engine.readSchema(),
    newestWriteToken: () => engine.newestWriteToken(),
    noteExpiry: (at) => engine.noteExpiry(at),
  };
  const cache = new CheckCache(engine, { maxEntries: 64, source: { kind: "watch", engine: source }, subjectSets: { after: 1, maxSetSize: 1_000, maxIds: 300 }, watchWaitMs: 50, expiryMarginMs: 1_000 });
  const client = v1.NewClient(token, backends.endpoint.split(",")[0]!, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
  const direct: Pick<Engine, "write"> = {
    async write(updates: RelationshipUpdate[]) {
      const response = await client.promises.writeRelationships(v1.WriteRelationshipsRequest.create({ updates: updates.map(toRelationshipUpdate), optionalPreconditions: [] }));
      return { zedToken: response.writtenAt!.token };
    },
  };
  for (let i = 0; i < 200 && !cache.answering(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(cache.answering(), JSON.stringify(cache.stats())).toBe(true);
  return {
    cache,
    engine,
    truth,
    direct,
    proxy,
    async close() {
      await cache.stop();
      client.close();
      await proxy.stop();
      await backends.close();
    },
  };
}

/** cutWatch drops the watch's connection, waits until the cache knows, and lets it reconnect. */
export async function cutWatch(bed: Bed): Promise<void> {
  await bed.proxy.stop();
  for (let i = 0; i < 100 && bed.cache.stats().watch?.healthy; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  await bed.proxy.start();
}

