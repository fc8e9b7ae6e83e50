// Pins the consistency of the two stores in remote mode: when SpiceDB or PostgreSQL fails in
// the middle of a product operation, the client gets a clean 503 (problem+json, Retry-After),
// nothing is left half-applied, and Accord recovers by itself once the backend is back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RemoteEngine } from "../../src/engine/remote/remote-engine.js";
import { PostgresStore } from "../../src/store/postgres-store.js";
import { uid } from "../support/test-server.js";
import { postgresAvailable, SKIP_MESSAGE, TEST_DATABASE_URL } from "../store/postgres-test-database.js";
import { startRemoteBackends, type RemoteBackends } from "./remote-backends.js";
import { startReplica, type Replica } from "./remote-app.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

const available = await postgresAvailable();
if (!available) console.warn(SKIP_MESSAGE);

describe.skipIf(!available)("one of the two stores fails midway", () => {
  let backends: RemoteBackends;
  let proxy: TcpProxy;
  let engine: RemoteEngine;
  let store: PostgresStore;
  let accord: Replica;

  beforeAll(async () => {
    backends = await startRemoteBackends();
    const target = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    target.host = `127.0.0.1:${proxy.port}`;
    engine = await backends.remoteEngine({ callTimeoutMs: 2_000, attempts: 2 });
    store = await PostgresStore.open({ connectionString: target.toString(), schema: backends.schema, max: 4 });
    accord = await startReplica(engine, store);
  });
  afterAll(async () => {
    await accord?.close();
    await store?.close();
    await proxy?.stop();
    await backends?.close();
  });

  const as = (user: string) => ({ key: "manage" as const, actor: `user:${user}` });
  const ownerTuples = async (org: string) => {
    const res = await accord.call("GET", `/v1/relationships?${new URLSearchParams({ resourceType: "organization", resourceId: org, limit: "100" })}`);
    expect(res.status).toBe(200);
    return res.body.relationships as unknown[];
  };
  /** A store that is down is `unavailable`; an engine that is down is `engine_unavailable`. */
  const expectCleanUnavailable = (res: { status: number; headers: Headers; body: { code?: string } }, code = "unavailable") => {
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.code).toBe(code);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  };

  it("PostgreSQL down after the engine write: 503, the relationships are taken back, and the same create succeeds once it is back", async () => {
    const [alice, org] = [uid("alice"), uid("org")];
    await proxy.stop();
    try {
      const res = await accord.call("POST", "/v1/orgs", { ...as(alice), body: { id: org, name: "Half" } });
      expectCleanUnavailable(res);
      // The engine is up: the owner tuple it wrote first was compensated, not left behind.
      expect(await ownerTuples(org)).toEqual([]);
    } finally {
      await proxy.start();
    }
    expect(await store.getObject("organization", org)).toBeUndefined();
    // Recovery without restarting Accord: the pool reconnects, the precondition finds no owner.
    const again = await accord.call("POST", "/v1/orgs", { ...as(alice), body: { id: org, name: "Whole" } });
    expect(again.status).toBe(201);
    expect((await accord.call("GET", `/v1/orgs/${org}`, as(alice))).body.name).toBe("Whole");
    expect((await ownerTuples(org)).length).toBeGreaterThan(0);
  });

  it("SpiceDB down: 503, nothing reaches PostgreSQL, and Accord serves again when the engine returns", async () => {
    const [bob, org] = [uid("bob"), uid("org")];
    await backends.stopEngine();
    try {
      expectCleanUnavailable(await accord.call("POST", "/v1/orgs", { ...as(bob), body: { id: org, name: "Never" } }), "engine_unavailable");
      expectCleanUnavailable(await accord.call("POST", "/v1/check", { body: { resource: `organization:${org}`, permission: "view", subject: `user:${bob}` } }), "engine_unavailable");
      expect((await accord.call("GET", "/readyz", { key: null })).status).toBe(503);
      expect(await store.getObject("organization", org)).toBeUndefined();
    } finally {
      await backends.startEngine();
    }
    const deadline = Date.now() + 10_000;
    while ((await accord.call("GET", "/readyz", { key: null })).status !== 200) {
      if (Date.now() > deadline) throw new Error("Accord did not become ready again");
      await new Promise((r) => setTimeout(r, 100));
    }
    const created = await accord.call("POST", "/v1/orgs", { ...as(bob), body: { id: org, name: "Now" } });
    expect(created.status).toBe(201);
    expect((await store.getObject("organization", org))?.name).toBe("Now");
    const check = await accord.call("POST", "/v1/check", {
      body: { resource: `organization:${org}`, permission: "delete", subject: `user:${bob}`, consistency: { atLeastAsFresh: created.body.zedToken } },
    });
    expect(check.body.allowed).toBe(true);
  });

  it("PostgreSQL down during a read: 503 rather than a 500, and the read works again afterwards", async () => {
    const [carol, org] = [uid("carol"), uid("org")];
    expect((await accord.call("POST", "/v1/orgs", { ...as(carol), body: { id: org, name: "Read me" } })).status).toBe(201);
    await proxy.stop();
    try {
      expectCleanUnavailable(await accord.call("GET", `/v1/orgs/${org}`, as(carol)));
    } finally {
      await proxy.start();
    }
    expect((await accord.call("GET", `/v1/orgs/${org}`, as(carol))).body.name).toBe("Read me");
  });
});
