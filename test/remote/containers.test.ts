// Pins remote mode against the real thing: PostgreSQL and SpiceDB (authzed/spicedb, postgres
// datastore, migrated first) in containers through testcontainers, with Accord replicas in
// front. It needs a Docker engine; without one it skips with one line saying so.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteEngine } from "../../src/engine/remote/remote-engine.js";
import { PostgresStore } from "../../src/store/postgres-store.js";
import { uid } from "../support/test-server.js";
import { pinnedSpicedbVersion, SPICEDB_OFFLINE_FLAGS, SPICEDB_SERVE_FLAGS } from "../../tools/cluster/spicedb-node.js";
import { SCHEMA } from "./remote-backends.js";
import { startReplica, type Replica } from "./remote-app.js";

// The version tools/spicedb/go.mod pins, with the native harness's flags.
const SPICEDB_IMAGE = `authzed/spicedb:${pinnedSpicedbVersion(readFileSync(join(import.meta.dirname, "..", "..", "tools", "spicedb", "go.mod"), "utf8"))}`;
const POSTGRES_IMAGE = "postgres:16";
const PRESHARED_KEY = "accord-container-test-key";

async function dockerAvailable(): Promise<boolean> {
  const sockets = ["/var/run/docker.sock", join(homedir(), ".docker", "run", "docker.sock")];
  if (!process.env.DOCKER_HOST && !sockets.some((s) => existsSync(s))) return false;
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

const docker = await dockerAvailable();
if (!docker) console.warn("Container tests skipped: no Docker engine (set DOCKER_HOST or start Docker to run them)");

describe.skipIf(!docker)("remote mode against SpiceDB and PostgreSQL containers", () => {
  const stops: Array<() => Promise<unknown>> = [];
  let replicaA: Replica;
  let replicaB: Replica;

  beforeAll(async () => {
    const { GenericContainer, Network, Wait } = await import("testcontainers");
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
    const network = await new Network().start();
    stops.push(() => network.stop());
    const postgres = await new PostgreSqlContainer(POSTGRES_IMAGE).withNetwork(network).withNetworkAliases("postgres").withCommand(["postgres", "-c", "track_commit_timestamp=on"]).start();
    stops.unshift(() => postgres.stop());
    const datastore = {
      SPICEDB_DATASTORE_ENGINE: "postgres",
      SPICEDB_DATASTORE_CONN_URI: `postgres://${postgres.getUsername()}:${postgres.getPassword()}@postgres:5432/${postgres.getDatabase()}?sslmode=disable`,
    };
    await new GenericContainer(SPICEDB_IMAGE)
      .withNetwork(network)
      .withEnvironment(datastore)
      .withCommand(["datastore", "migrate", "head", ...SPICEDB_OFFLINE_FLAGS.migrate])
      .withWaitStrategy(Wait.forOneShotStartup())
      .start();
    const spicedb = await new GenericContainer(SPICEDB_IMAGE)
      .withNetwork(network)
      .withEnvironment({ ...datastore, SPICEDB_GRPC_PRESHARED_KEY: PRESHARED_KEY })
      .withCommand(["serve", ...SPICEDB_SERVE_FLAGS])
      .withExposedPorts(50051)
      .withWaitStrategy(Wait.forLogMessage(/grpc server started serving/i))
      .start();
    stops.unshift(() => spicedb.stop());
    const endpoint = `${spicedb.getHost()}:${spicedb.getMappedPort(50051)}`;
    // Accord's app state in its own schema of the same PostgreSQL.
    for (let i = 0; i < 2; i++) {
      const engine = await RemoteEngine.connect({ endpoint, token: PRESHARED_KEY, insecure: true, schema: SCHEMA });
      const store = await PostgresStore.open({ connectionString: postgres.getConnectionUri(), schema: "accord" });
      const replica = await startReplica(engine, store);
      stops.unshift(async () => {
        await replica.close();
        await engine.close();
        await store.close();
      });
      if (i === 0) replicaA = replica;
      else replicaB = replica;
    }
  }, 300_000);

  afterAll(async () => {
    for (const stop of stops) await stop().catch(() => undefined);
  }, 120_000);

  it("creates an organization on A and serves it, permissions included, on B", async () => {
    const [olivia, org] = [uid("olivia"), uid("org")];
    const created = await replicaA.call("POST", "/v1/orgs", { key: "manage", actor: `user:${olivia}`, body: { id: org, name: "Containers" } });
    expect(created.status).toBe(201);
    const check = await replicaB.call("POST", "/v1/check", {
      body: { resource: `organization:${org}`, permission: "delete", subject: `user:${olivia}`, consistency: { atLeastAsFresh: created.body.zedToken } },
    });
    expect(check.body.allowed).toBe(true);
    const stranger = await replicaB.call("POST", "/v1/check", {
      body: { resource: `organization:${org}`, permission: "view", subject: `user:${uid("eve")}`, consistency: "full" },
    });
    expect(stranger.body.allowed).toBe(false);
  });

  it("writes raw relationships with preconditions atomically on a real SpiceDB", async () => {
    const p = uid("p");
    const first = await replicaA.call("POST", "/v1/relationships", {
      body: { updates: [{ operation: "create", relationship: `project:${p}#viewer@user:${uid("u")}` }] },
    });
    expect(first.status).toBe(200);
    const guarded = await replicaB.call("POST", "/v1/relationships", {
      body: {
        updates: [{ operation: "touch", relationship: `project:${p}#editor@user:${uid("u")}` }],
        preconditions: [{ operation: "must_not_exist", filter: { resourceType: "project", resourceId: p, relation: "viewer" } }],
      },
    });
    expect(guarded.status).toBe(409);
    const read = await replicaB.call("GET", `/v1/relationships?resourceType=project&resourceId=${p}&limit=10`);
    expect(read.body.relationships).toHaveLength(1);
  });
});
