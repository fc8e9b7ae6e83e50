// Pins stateless replicas: two Accord processes (src/main.ts in remote mode) over one engine
// and one PostgreSQL database. A write acknowledged by A, then read on B with A's zedToken, is
// seen; app state written through one is served by the other; both start at once safely.
import pg from "pg";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/store/sql-schema.js";
import { spawnServer, type SpawnedServer } from "../support/spawn-server.js";
import { KEYS, uid } from "../support/test-server.js";
import { postgresAvailable, SKIP_MESSAGE, TEST_DATABASE_URL } from "../store/postgres-test-database.js";
import { ENGINE_TOKEN, startRemoteBackends, type RemoteBackends } from "./remote-backends.js";
import { callJson } from "./remote-app.js";

const available = await postgresAvailable();
if (!available) console.warn(SKIP_MESSAGE);

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)("two stateless replicas over one engine and one PostgreSQL", () => {
  let backends: RemoteBackends;
  let a: SpawnedServer;
  let b: SpawnedServer;
  const database = `accord_replicas_${process.pid}_${randomBytes(4).toString("hex")}`;
  const dataDir = mkdtempSync(join(tmpdir(), "accord-replica-"));

  beforeAll(async () => {
    backends = await startRemoteBackends();
    await admin((c) => c.query(`CREATE DATABASE ${database}`));
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    const env = {
      SPICEDB_ENDPOINT: backends.endpoint,
      SPICEDB_TOKEN: ENGINE_TOKEN,
      SPICEDB_INSECURE: "true",
      DATABASE_URL: url.toString(),
      ACCORD_DATA_DIR: dataDir,
      ACCORD_API_KEYS: JSON.stringify([
        { name: "admin", key: KEYS.admin, scopes: ["admin"] },
        { name: "manage", key: KEYS.manage, scopes: ["manage"] },
      ]),
    };
    // Both start at the same moment: their migrations race for the advisory lock.
    [a, b] = await Promise.all([spawnServer(env, 60_000), spawnServer(env, 60_000)]);
  }, 120_000);

  afterAll(async () => {
    // NOTE: a replica already killed by a test has exited; only signal the live ones.
    const live = [a, b].filter((s) => s && s.process.exitCode === null && s.process.signalCode === null);
    await Promise.all(live.map((s) => s.kill("SIGTERM")));
    await backends?.close();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("applied each migration once although both replicas started together", async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const rows = await client.query("SELECT name FROM kysely_migration ORDER BY name");
      expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(MIGRATIONS).sort());
    } finally {
      await client.end();
    }
  });

  it("a write acknowledged by A is seen by B when B is handed A's zedToken", async () => {
    for (let round = 0; round < 5; round++) {
      const [user, org] = [uid("u"), uid("org")];
      const written = await callJson(a.url, "POST", "/v1/relationships", {
        body: { updates: [{ operation: "touch", relationship: `organization:${org}#owner@user:${user}` }] },
      });
      expect(written.status).toBe(200);
      expect(typeof written.body.zedToken).toBe("string");
      const checked = await callJson(b.url, "POST", "/v1/check", {
        key: "admin",
        body: { resource: `organization:${org}`, permission: "manage_owners", subject: `user:${user}`, consistency: { atLeastAsFresh: written.body.zedToken } },
      });
      expect(checked.status).toBe(200);
      expect(checked.body.allowed).toBe(true);
    }
  });

  it("an organization created on B is served, with its app state, by A", async () => {
    const [olivia, org] = [uid("olivia"), uid("org")];
    const created = await callJson(b.url, "POST", "/v1/orgs", { key: "manage", actor: `user:${olivia}`, body: { id: org, name: "Shared", seatLimit: 7 } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // With B's zedToken, A's checks see the new owner at once.
    const owner = await callJson(a.url, "POST", "/v1/check", {
      body: { resource: `organization:${org}`, permission: "manage_owners", subject: `user:${olivia}`, consistency: { atLeastAsFresh: created.body.zedToken } },
    });
    expect(owner.body.allowed).toBe(true);
    // Product calls carry no zedToken: between replicas they read the engine fully consistent.
    const read = await callJson(a.url, "GET", `/v1/orgs/${org}`, { key: "manage", actor: `user:${olivia}` });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: org, name: "Shared", seatLimit: 7 });
    // And the owner tuple B wrote is in the one engine both use (a raw read names its freshness).
    const tuples = await callJson(a.url, "GET", `/v1/relationships?${new URLSearchParams({ resourceType: "organization", resourceId: org, relation: "owner", limit: "10", consistency: "full" })}`);
    expect(tuples.body.relationships).toHaveLength(1);
  });

  it("a replica holds nothing of its own: stopping A loses nothing B serves", async () => {
    const [user, org] = [uid("u"), uid("org")];
    const created = await callJson(a.url, "POST", "/v1/orgs", { key: "manage", actor: `user:${user}`, body: { id: org, name: "Survives A" } });
    expect(created.status).toBe(201);
    await a.kill("SIGKILL");
    const read = await callJson(b.url, "GET", `/v1/orgs/${org}`, { key: "manage", actor: `user:${user}` });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe("Survives A");
  });
});
