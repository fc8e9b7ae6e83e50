// Pins the audit log (GET /v1/audit, admin): every change — product operations and raw
// relationship and schema writes — records actor, action, target, relationship changes, the
// zedToken and the time; rejected operations record nothing; and a change never exists
// without its record (no audit log, no change: 503).
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { describe, expect, it } from "vitest";
import { v1 } from "@authzed/authzed-node";
import { buildApp, grpcEndpointDeps } from "../src/compose.js";
import { startGrpcEndpoint } from "../src/grpc/grpc-endpoint.js";
import { ApiKeyRing } from "../src/auth/api-keys.js";
import { createLogger } from "../src/logger.js";
import type { Store } from "../src/store/store.js";
import { KEYS, SCHEMA, useTestServer, uid, type CallOptions, } from "./support/test-server.js";

const server = useTestServer();

interface Entry {
  id: string;
  at: string;
  principal: string;
  actor: string;
  action: string;
  target: string | null;
  changes: Array<{ operation: string; relationship: string; expiresAt?: string }>;
  zedToken: string | null;
  detail?: Record<string, unknown>;
  status: string;
}

const as = (user: string): CallOptions => ({ key: "manage", actor: `user:${user}` });
const audit = async (query: Record<string, string>, url = server.url) => {
  const res = await fetch(`${url}/v1/audit?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${KEYS.admin}` } });
  const body = (await res.json()) as { entries: Entry[]; cursor?: string };
  expect(res.status).toBe(200);
  return body;
};
const entriesAbout = async (object: string) => (await audit({ object })).entries;
const exists = async (relationship: string) => {
  const [resource, rest] = relationship.split("#") as [string, string];
  const [relation, subject] = rest.split("@") as [string, string];
  const [resourceType, resourceId] = resource.split(":") as [string, string];
  const [subjectType, subjectId] = subject.split(":") as [string, string];
  const res = await server.call("GET", `/v1/relationships?${new URLSearchParams({ resourceType, resourceId, relation, subjectType, subjectId })}`);
  return (res.body.relationships as unknown[]).length > 0;
};

describe("GET /v1/audit", () => {
  it("records a sequence of product operations: who, what, on which object, the changes, the token and the time", async () => {
    const started = Date.now();
    const [owner, bob, carol] = [uid("owner"), uid("bob"), uid("carol")];
    const org = uid("org");
    expect((await server.call("POST", "/v1/orgs", { ...as(owner), body: { id: org } })).status).toBe(201);
    const put = await server.call("PUT", `/v1/orgs/${org}/members/${bob}`, { ...as(owner), body: { role: "member" } });
    const sent = await server.call("POST", `/v1/orgs/${org}/invitations`, { ...as(owner), body: { invitees: [carol], role: "member" } });
    const invitation = sent.body.results[0].invitation.id as string;
    const accepted = await server.call("POST", `/v1/invitations/${invitation}/accept`, as(carol));
    expect(accepted.status).toBe(200);

    const entries = await entriesAbout(`organization:${org}`);
    expect(entries.map((e) => [e.action, e.actor, e.target])).toEqual([
      ["POST /v1/invitations/:id/accept", `user:${carol}`, `invitation:${invitation}`],
      ["POST /v1/orgs/:org/invitations", `user:${owner}`, `organization:${org}`],
      ["PUT /v1/orgs/:org/members/:user", `user:${owner}`, `organization:${org}`],
      ["POST /v1/orgs", `user:${owner}`, `organization:${org}`],
    ]);
    const [acceptEntry, inviteEntry, putEntry] = entries as [Entry, Entry, Entry];
    expect(putEntry).toMatchObject({ principal: "key:manage", status: "committed", zedToken: put.body.zedToken });
    expect(putEntry.changes.map((c) => `${c.operation} ${c.relationship}`).sort()).toEqual([
      `touch organization:${org}#general_view@user:${bob}`,
      `touch organization:${org}#member@user:${bob}`,
    ]);
    expect(inviteEntry.changes).toEqual([]);
    expect(inviteEntry.detail).toMatchObject({ invitation, invitee: `user:${carol}`, role: "member" });
    expect(acceptEntry.zedToken).toBe(accepted.body.zedToken);
    expect(acceptEntry.changes.map((c) => c.relationship)).toContain(`organization:${org}#member@user:${carol}`);
    for (const e of entries) {
      expect(new Date(e.at).getTime()).toBeGreaterThanOrEqual(started - 1000);
      expect(new Date(e.at).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    }
    // The invitee is found by their own reference too.
    expect((await entriesAbout(`user:${carol}`)).map((e) => e.action)).toEqual(["POST /v1/invitations/:id/accept", "POST /v1/orgs/:org/invitations"]);
  });

  it("records raw writes, filtered deletes and schema writes under the key's name", async () => {
    const project = uid("p");
    const [a, b] = [`project:${project}#viewer@user:a`, `project:${project}#editor@user:b`];
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const write = await server.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: a }, { operation: "create", relationship: b, expiresAt }] } });
    expect(write.status).toBe(200);
    const removed = await server.call("DELETE", "/v1/relationships", { body: { filter: { resourceType: "project", resourceId: project } } });
    expect(removed.status).toBe(200);
    const [deleteEntry, writeEntry] = (await entriesAbout(`project:${project}`)) as [Entry, Entry];
    expect(writeEntry).toMatchObject({ action: "POST /v1/relationships", actor: "key:admin", principal: "key:admin", target: `project:${project}`, zedToken: write.body.zedToken });
    expect(writeEntry.changes).toEqual([
      { operation: "touch", relationship: a },
      { operation: "create", relationship: b, expiresAt },
    ]);
    expect(deleteEntry).toMatchObject({ action: "DELETE /v1/relationships", zedToken: removed.body.zedToken });
    expect(deleteEntry.changes.map((c) => `${c.operation} ${c.relationship}`).sort()).toEqual([`delete ${a}`, `delete ${b}`].sort());

    const schema = await server.call("PUT", "/v1/schema", { body: { schema: SCHEMA } });
    expect(schema.status).toBe(200);
    const [schemaEntry] = await entriesAbout("schema");
    expect(schemaEntry).toMatchObject({ action: "PUT /v1/schema", target: "schema", actor: "key:admin", zedToken: schema.body.zedToken });
    expect(schemaEntry!.detail).toMatchObject({ schemaLength: SCHEMA.length });
  });

  it("filters by actor, object and time, newest first, paged", async () => {
    const [owner, x] = [uid("owner"), uid("x")];
    const before = new Date().toISOString();
    const orgs = [uid("org"), uid("org"), uid("org")];
    for (const id of orgs) await server.call("POST", "/v1/orgs", { ...as(owner), body: { id } });
    await server.call("POST", "/v1/orgs", { ...as(x), body: { id: uid("org") } });
    const after = new Date(Date.now() + 1).toISOString();
    const mine = await audit({ actor: `user:${owner}` });
    expect(mine.entries.map((e) => e.target)).toEqual(orgs.map((o) => `organization:${o}`).reverse());
    expect((await audit({ actor: `user:${owner}`, object: `organization:${orgs[1]}` })).entries).toHaveLength(1);
    expect((await audit({ actor: `user:${owner}`, since: after })).entries).toEqual([]);
    expect((await audit({ actor: `user:${owner}`, since: before, until: after })).entries).toHaveLength(3);
    const first = await audit({ actor: `user:${owner}`, limit: "2" });
    expect(first.entries).toHaveLength(2);
    const rest = await audit({ actor: `user:${owner}`, limit: "2", cursor: first.cursor! });
    expect(rest.cursor).toBeUndefined();
    expect([...first.entries, ...rest.entries].map((e) => e.id)).toEqual(mine.entries.map((e) => e.id));
    const invalid: Array<Record<string, string>> = [{ actor: "bob" }, { object: "nope" }, { since: "yesterday" }, { cursor: "zzz" }, { since: after, until: before }];
    for (const bad of invalid) {
      const res = await fetch(`${server.url}/v1/audit?${new URLSearchParams(bad)}`, { headers: { authorization: `Bearer ${KEYS.admin}` } });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await server.call("GET", "/v1/audit", { key: "manage", actor: `user:${owner}` })).status).toBe(403);
  });

  it("rejected operations record nothing", async () => {
    const [owner, stranger, bob] = [uid("owner"), uid("stranger"), uid("bob")];
    const org = uid("org");
    await server.call("POST", "/v1/orgs", { ...as(owner), body: { id: org } });
    expect((await server.call("PUT", `/v1/orgs/${org}/members/${bob}`, { ...as(stranger), body: { role: "member" } })).status).toBe(403);
    const refused = await server.call("POST", "/v1/relationships", {
      body: {
        updates: [{ operation: "touch", relationship: `organization:${org}#member@user:${bob}` }],
        preconditions: [{ operation: "must_exist", filter: { resourceType: "organization", resourceId: org, relation: "admin" } }],
      },
    });
    expect(refused.status).toBe(409);
    expect(await entriesAbout(`user:${bob}`)).toEqual([]);
    expect((await entriesAbout(`organization:${org}`)).map((e) => e.action)).toEqual(["POST /v1/orgs"]);
  });
});

describe("a change never exists without its record", () => {
  /** storeWith is the server's store with audit methods that can be made to fail. */
  const storeWith = (failing: { append: boolean; commit: boolean }) =>
    new Proxy(server.store as Store, {
      get(target, property, receiver) {
        if (property === "appendAudit" && failing.append) return () => Promise.reject(new Error("disk full"));
        if (property === "commitAudit" && failing.commit) return () => Promise.reject(new Error("disk full"));
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const adminKeys = ApiKeyRing.fromConfig([{ name: "admin", key: KEYS.admin, scopes: ["admin"] }]);

  /** replicaWith serves the same engine through a store whose audit methods can be made to fail. */
  async function replicaWith(failing: { append: boolean; commit: boolean }) {
    const app = buildApp({ engine: server.engine, store: storeWith(failing), keys: adminKeys, logger: createLogger("silent") });
    const listener: Server = await new Promise((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
      async close() {
        listener.closeAllConnections();
        await new Promise((resolve) => listener.close(resolve));
      },
    };
  }
  const post = (url: string, relationship: string) =>
    fetch(`${url}/v1/relationships`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEYS.admin}`, "content-type": "application/json" },
      body: JSON.stringify({ updates: [{ operation: "touch", relationship }] }),
    });

  it("when the audit log cannot be written, nothing is written (503)", async () => {
    const replica = await replicaWith({ append: true, commit: false });
    try {
      const relationship = `project:${uid("p")}#viewer@user:a`;
      const res = await post(replica.url, relationship);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe("unavailable");
      expect(await exists(relationship)).toBe(false);
    } finally {
      await replica.close();
    }
  });

  it("when the record cannot be confirmed after the write, the change stands and its entry shows as unconfirmed", async () => {
    const replica = await replicaWith({ append: false, commit: true });
    try {
      const project = uid("p");
      const relationship = `project:${project}#viewer@user:a`;
      expect((await post(replica.url, relationship)).status).toBe(200);
      expect(await exists(relationship)).toBe(true);
      const [entry] = await entriesAbout(`project:${project}`);
      expect(entry).toMatchObject({ status: "unconfirmed", zedToken: null, changes: [{ operation: "touch", relationship }] });
    } finally {
      await replica.close();
    }
  });

  it("a write over the SpiceDB gRPC endpoint is recorded ahead too: no audit log, no change (UNAVAILABLE)", async () => {
    const failing = { append: true, commit: false };
    const deps = grpcEndpointDeps({ engine: server.engine, store: storeWith(failing), logger: createLogger("silent") });
    const endpoint = await startGrpcEndpoint({ ...deps, keys: () => adminKeys, port: 0 });
    const client = v1.NewClient(KEYS.admin, `127.0.0.1:${endpoint.port}`, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    const project = uid("p");
    const touch = (user: string) =>
      v1.WriteRelationshipsRequest.create({
        updates: [
          {
            operation: v1.RelationshipUpdate_Operation.TOUCH,
            relationship: {
              resource: { objectType: "project", objectId: project },
              relation: "viewer",
              subject: { object: { objectType: "user", objectId: user }, optionalRelation: "" },
            },
          },
        ],
      });
    try {
      await expect(client.promises.writeRelationships(touch("a"))).rejects.toMatchObject({ code: 14 });
      expect(await exists(`project:${project}#viewer@user:a`)).toBe(false);
      failing.append = false;
      const written = await client.promises.writeRelationships(touch("b"));
      expect(await entriesAbout(`project:${project}`)).toMatchObject([
        {
          action: "gRPC /authzed.api.v1.PermissionsService/WriteRelationships",
          principal: "key:admin",
          actor: "key:admin",
          status: "committed",
          zedToken: written.writtenAt!.token,
          changes: [{ operation: "touch", relationship: `project:${project}#viewer@user:b` }],
        },
      ]);
    } finally {
      client.close();
      await endpoint.close();
    }
  });
});

describe("audit of app-state-only changes", () => {
  it("records organization settings changes (PATCH) with the new values, and nothing for a refused one", async () => {
    const [owner, member] = [uid("owner"), uid("member")];
    const org = uid("org");
    await server.call("POST", "/v1/orgs", { ...as(owner), body: { id: org } });
    await server.call("PUT", `/v1/orgs/${org}/members/${member}`, { ...as(owner), body: { role: "member" } });
    const refused = await server.call("PATCH", `/v1/orgs/${org}`, { ...as(member), body: { seatLimit: 1 } });
    expect(refused.status).toBe(403);
    const patched = await server.call("PATCH", `/v1/orgs/${org}`, { ...as(owner), body: { name: "Renamed", seatLimit: 9 } });
    expect(patched.status).toBe(200);
    const patches = (await entriesAbout(`organization:${org}`)).filter((e) => e.action === "PATCH /v1/orgs/:org");
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({ actor: `user:${owner}`, target: `organization:${org}`, detail: { name: "Renamed", seatLimit: 9 } });
  });
});
