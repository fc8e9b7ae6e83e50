// test-server starts the real app (buildApp) on the real embedded engine, listening on a free
// loopback port, with one key per scope. Each test file gets its own engine (and data dir).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import type { Server } from "node:http";
import { buildApp, type AppDeps } from "../../src/compose.js";
import type { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import { DEFAULT_CHECK_PATH, type CheckPathOptions } from "../../src/config.js";
import { buildCheckPath, type CheckPath } from "../../src/engine/cache/fast-check-path.js";
import { ApiKeyRing } from "../../src/auth/api-keys.js";
import { createLogger } from "../../src/logger.js";
import type { RemoteEngine } from "../../src/engine/remote/remote-engine.js";
import type { PostgresStore } from "../../src/store/postgres-store.js";
import type { SqliteStore } from "../../src/store/sqlite-store.js";
import { openTestBackends } from "../remote/test-mode.js";

export const KEYS = {
  admin: "test-admin-key-0123456789abcdef",
  manage: "test-manage-key-0123456789abcdef",
  check: "test-check-key-0123456789abcdef",
} as const;

export const SCHEMA = readFileSync(join(import.meta.dirname, "..", "..", "schema.zed"), "utf8");

export interface TestServer {
  url: string;
  /** The embedded engine, or a RemoteEngine under ACCORD_TEST_MODE=remote (npm run test:remote). */
  engine: EmbeddedEngine | RemoteEngine;
  /** The check cache and coalescer in front of the engine (on by default, as in production). */
  checkPath: CheckPath;
  store: SqliteStore | PostgresStore;
  dataDir: string;
  /** call sends a JSON request with the given key (or none) and returns status, headers and body. */
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export interface CallOptions {
  key?: keyof typeof KEYS | null;
  body?: unknown;
  headers?: Record<string, string>;
  /** X-Actor header, e.g. "user:alice". */
  actor?: string;
}

export interface CallResult {
  status: number;
  headers: Headers;
  // Tests read arbitrary JSON; the assertions are what type it.
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies and the assertions type them
  body: any;
}

let counter = 0;
/** uid returns an id unique to this process, so tests never share state by accident. */
export function uid(prefix = "t"): string {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${Date.now().toString(36)}${counter}`;
}

export interface TestServerOptions {
  checkPath?: Partial<CheckPathOptions>;
}

export async function startTestServer(overrides: Partial<AppDeps> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "accord-test-"));
  const { engine, store, closeBackends } = await openTestBackends(dataDir);
  const keys = ApiKeyRing.fromConfig([
    { name: "admin", key: KEYS.admin, scopes: ["admin"] },
    { name: "manage", key: KEYS.manage, scopes: ["manage"] },
    { name: "check", key: KEYS.check, scopes: ["check"] },
  ]);
  const checkPath = buildCheckPath(engine, { ...DEFAULT_CHECK_PATH, ...options.checkPath });
  const app = buildApp({ engine: checkPath.engine, store, keys, logger: createLogger("silent"), ...overrides });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    engine,
    checkPath,
    store,
    dataDir,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const key = options.key === undefined ? "admin" : options.key;
      if (key) headers.authorization = `Bearer ${KEYS[key]}`;
      if (options.actor) headers["x-actor"] = options.actor;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
        headers["content-type"] ??= "application/json";
      }
      const response = await fetch(url + path, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await engine.close();
      await store.close();
      await closeBackends();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * useTestServer starts a test server before the file's (or describe block's) tests and closes it
 * after them. It returns the server at once, as a stand-in whose members reach the running one.
 */
export function useTestServer(overrides: Partial<AppDeps> = {}, options: TestServerOptions = {}): TestServer {
  let running: TestServer | undefined;
  beforeAll(async () => {
    running = await startTestServer(overrides, options);
  });
  afterAll(async () => {
    await running?.close();
  });
  return new Proxy({} as TestServer, {
    get(_target, name) {
      if (!running) throw new Error("the test server starts in beforeAll: use it inside a test or hook");
      const value = running[name as keyof TestServer];
      return typeof value === "function" ? value.bind(running) : value;
    },
  });
}
