// remote-app builds the real Accord app (buildApp) in remote mode on given backends and
// listens on a free loopback port: one call of it is one stateless replica.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { buildApp } from "../../src/compose.js";
import type { Engine } from "../../src/engine/engine.js";
import { ApiKeyRing } from "../../src/auth/api-keys.js";
import { createLogger } from "../../src/logger.js";
import type { Store } from "../../src/store/store.js";
import { KEYS, type CallOptions, type CallResult } from "../support/test-server.js";

export interface Replica {
  url: string;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export const TEST_KEYS = ApiKeyRing.fromConfig([
  { name: "admin", key: KEYS.admin, scopes: ["admin"] },
  { name: "manage", key: KEYS.manage, scopes: ["manage"] },
  { name: "check", key: KEYS.check, scopes: ["check"] },
]);

export async function startReplica(engine: Engine, store: Store): Promise<Replica> {
  const app = buildApp({ engine, store, keys: TEST_KEYS, logger: createLogger("silent") });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    call: (method, path, options) => callJson(url, method, path, options),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** callJson sends one JSON request as test-server's call does, to any base URL. */
export async function callJson(url: string, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? "admin" : options.key;
  if (key) headers.authorization = `Bearer ${KEYS[key]}`;
  if (options.actor) headers["x-actor"] = options.actor;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
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
}
