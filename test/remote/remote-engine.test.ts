// Pins the RemoteEngine adapter and the embedded engine's SpiceDB gRPC endpoint together:
// Engine port → authzed-node → gRPC → embedded Accord → SpiceDB, against the real engine.
import { createServer, type Server } from "node:net";
import { v1 } from "@authzed/authzed-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError, type Relationship } from "../../src/engine/engine.js";
import { RemoteEngine } from "../../src/engine/remote/remote-engine.js";
import { ENGINE_TOKEN, startRemoteBackends, type RemoteBackends } from "./remote-backends.js";

let backends: RemoteBackends;
let engine: RemoteEngine;
let n = 0;
const id = (p: string) => `${p}${process.pid}x${Date.now().toString(36)}x${++n}`;
const owner = (org: string, user: string): Relationship => ({
  resource: { type: "organization", id: org },
  relation: "owner",
  subject: { type: "user", id: user },
});
const failureOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof EngineError) return err.failure.kind;
    throw err;
  }
  throw new Error("expected the call to fail");
};

beforeAll(async () => {
  backends = await startRemoteBackends();
  engine = await backends.remoteEngine();
});
afterAll(async () => {
  await backends?.close();
});

describe("RemoteEngine over the embedded gRPC endpoint", () => {
  it("writes through gRPC into the embedded engine, and answers checks, lookups, reads and expand like it", async () => {
    const [org, alice] = [id("o"), id("alice")];
    const written = await engine.write([{ operation: "create", relationship: owner(org, alice) }]);
    expect(written.zedToken).not.toBe("");
    expect(engine.newestWriteToken()).toBe(written.zedToken);
    // The write reached the engine behind the endpoint (and its journal).
    const direct = await backends.embedded.readRelationships({ resourceType: "organization", resourceId: org }, { limit: 10 });
    expect(direct.relationships).toEqual([owner(org, alice)]);
    const item = { resource: { type: "organization", id: org }, permission: "delete", subject: { type: "user", id: alice } };
    expect((await engine.check(item)).permissionship).toBe("allowed");
    expect((await engine.check({ ...item, subject: { type: "user", id: id("bob") } })).permissionship).toBe("denied");
    const bulk = await engine.checkBulk([item, { ...item, permission: "no_such_permission" }]);
    expect(bulk.results[0]).toMatchObject({ ok: true, result: { permissionship: "allowed" } });
    expect(bulk.results[1]).toMatchObject({ ok: false, error: { kind: "invalid_argument" } });
    const lookup = await engine.lookupResources({ resourceType: "organization", permission: "view", subject: { type: "user", id: alice } });
    expect(lookup.resources.map((r) => r.id)).toEqual([org]);
    const subjects = await engine.lookupSubjects({ resource: { type: "organization", id: org }, permission: "manage_owners", subjectType: "user" });
    expect(subjects.subjects.map((s) => s.id)).toEqual([alice]);
    const explained = await engine.explain(item);
    expect(explained.result.permissionship).toBe("allowed");
    expect(explained.trace).toMatchObject({ permission: "delete", result: "allowed" });
    expect(explained.trace!.children.length).toBeGreaterThan(0);
    const tree = await engine.expand({ type: "organization", id: org }, "owner");
    expect(tree).toMatchObject({ operation: "leaf", subjects: [{ type: "user", id: alice }] });
    expect(await engine.readSchema()).toContain("definition organization");
  });

  it("pages relationship reads with cursors across the gRPC stream, writes in between", async () => {
    const org = id("o");
    const users = Array.from({ length: 7 }, () => id("u"));
    await engine.write(users.map((u) => ({ operation: "touch" as const, relationship: { ...owner(org, u), relation: "member" } })));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await engine.readRelationships({ resourceType: "organization", resourceId: org }, { limit: 3, cursor });
      expect(page.relationships.length).toBeLessThanOrEqual(3);
      seen.push(...page.relationships.map((r) => r.subject.id));
      cursor = page.cursor;
      // A write between pages moves "read your writes" on; the cursor keeps its own snapshot.
      await engine.write([{ operation: "touch", relationship: owner(id("elsewhere"), id("w")) }]);
    } while (cursor);
    expect(seen.sort()).toEqual([...users].sort());
  });

  it("maps gRPC failures to engine failures: bad schema names, CREATE of an existing tuple, failed preconditions", async () => {
    const [org, alice] = [id("o"), id("alice")];
    await engine.write([{ operation: "create", relationship: owner(org, alice) }]);
    expect(await failureOf(engine.check({ resource: { type: "nope", id: "x" }, permission: "view", subject: { type: "user", id: "u" } }))).toBe("invalid_argument");
    expect(await failureOf(engine.write([{ operation: "create", relationship: owner(org, alice) }]))).toBe("already_exists");
    const guarded = engine.write([{ operation: "touch", relationship: owner(org, id("eve")) }], [
      { operation: "must_not_exist", filter: { resourceType: "organization", resourceId: org, relation: "owner" } },
    ]);
    expect(await failureOf(guarded)).toBe("failed_precondition");
    expect((await engine.readRelationships({ resourceType: "organization", resourceId: org }, { limit: 10 })).relationships).toHaveLength(1);
    await engine.deleteByFilter({ resourceType: "organization", resourceId: org });
    expect((await engine.readRelationships({ resourceType: "organization", resourceId: org }, { limit: 10 })).relationships).toHaveLength(0);
  });

  it("rejects callers whose bearer is not an admin key", async () => {
    const stranger = RemoteEngine.connect({ endpoint: backends.endpoint, token: "not-a-key-of-this-installation", insecure: true, schema: "definition x {}" });
    expect(await failureOf(stranger)).toBe("internal");
    const reader = await backends.remoteEngine({ token: "not-a-key-of-this-installation", schema: undefined });
    expect(await reader.ready()).toBe(false);
  });

  it("sees another replica's write when handed its zedToken (cross-replica freshness)", async () => {
    const replicaB = await backends.remoteEngine();
    const [org, alice] = [id("o"), id("alice")];
    const { zedToken } = await engine.write([{ operation: "create", relationship: owner(org, alice) }]);
    const item = { resource: { type: "organization", id: org }, permission: "view", subject: { type: "user", id: alice } };
    expect((await replicaB.check(item, { kind: "at_least_as_fresh", token: zedToken })).permissionship).toBe("allowed");
    // B acknowledged no write of its own after A's: only the handed-in token made it fresh.
    expect(replicaB.newestWriteToken()).not.toBe(zedToken);
  });

  it("retries reads while the engine is unavailable, but never retries a write", async () => {
    const [org, alice] = [id("o"), id("alice")];
    await engine.write([{ operation: "create", relationship: owner(org, alice) }]);
    await backends.stopEngine();
    try {
      expect(await failureOf(engine.write([{ operation: "touch", relationship: owner(org, id("late")) }]))).toBe("unavailable");
      const restart = new Promise((resolve) => setTimeout(resolve, 150)).then(() => backends.startEngine());
      const item = { resource: { type: "organization", id: org }, permission: "view", subject: { type: "user", id: alice } };
      const checked = await engine.check(item);
      await restart;
      expect(checked.permissionship).toBe("allowed");
    } finally {
      await backends.startEngine();
    }
    // The write that failed during the outage was not replayed after the restart.
    const owners = await engine.readRelationships({ resourceType: "organization", resourceId: org, relation: "owner" }, { limit: 10 });
    expect(owners.relationships.map((r) => r.subject.id)).toEqual([alice]);
  });

  it("puts a deadline on every call: an engine that never answers is deadline_exceeded, not a hang", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const hung = await RemoteEngine.connect({ endpoint: `127.0.0.1:${port}`, token: ENGINE_TOKEN, insecure: true, callTimeoutMs: 300 });
      const started = Date.now();
      const kind = await failureOf(hung.readSchema());
      expect(["deadline_exceeded", "unavailable"]).toContain(kind);
      expect(Date.now() - started).toBeLessThan(5_000);
      await hung.close();
    } finally {
      silent.close();
    }
  });
});

describe("the gRPC endpoint for stock authzed clients", () => {
  it("streams ReadRelationships and Watch to a plain authzed-node client", async () => {
    const client = v1.NewClient(ENGINE_TOKEN, backends.endpoint, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    try {
      const [org, alice] = [id("o"), id("alice")];
      const { zedToken } = await engine.write([{ operation: "touch", relationship: owner(org, id("first")) }]);
      const updates: v1.WatchResponse[] = [];
      const watch = client.watch(v1.WatchRequest.create({ optionalStartCursor: { token: zedToken } }));
      const received = new Promise<void>((resolve) => {
        watch.on("data", (r: v1.WatchResponse) => {
          updates.push(r);
          if (r.updates.some((u) => u.relationship?.subject?.object?.objectId === alice)) resolve();
        });
      });
      watch.on("error", () => undefined);
      await new Promise((r) => setTimeout(r, 200));
      await client.promises.writeRelationships(
        v1.WriteRelationshipsRequest.create({
          updates: [{ operation: v1.RelationshipUpdate_Operation.TOUCH, relationship: { resource: { objectType: "organization", objectId: org }, relation: "owner", subject: { object: { objectType: "user", objectId: alice }, optionalRelation: "" } } }],
        }),
      );
      await received;
      watch.cancel();
      const read = await client.promises.readRelationships(
        v1.ReadRelationshipsRequest.create({
          consistency: { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } },
          relationshipFilter: { resourceType: "organization", optionalResourceId: org, optionalRelation: "", optionalResourceIdPrefix: "" },
        }),
      );
      expect(read.map((r) => r.relationship?.subject?.object?.objectId).sort()).toHaveLength(2);
    } finally {
      client.close();
    }
  });
});
