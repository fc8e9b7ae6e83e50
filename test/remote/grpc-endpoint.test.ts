// Pins `ACCORD_GRPC_PORT`: embedded Accord (src/main.ts as a process) serves the SpiceDB v1
// gRPC API to stock authzed clients with an admin API key as bearer, and what is written over
// gRPC goes through the journal: it survives kill -9 like a write over HTTP; and it is audited
// like a raw write over HTTP, under the calling key's name.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, spawnServer, type SpawnedServer } from "../support/spawn-server.js";
import { KEYS, uid } from "../support/test-server.js";
import { callJson } from "./remote-app.js";

const dataDir = mkdtempSync(join(tmpdir(), "accord-grpc-"));
const auditDataDir = mkdtempSync(join(tmpdir(), "accord-grpc-audit-"));
const servers: SpawnedServer[] = [];
afterAll(async () => {
  for (const s of servers) if (s.process.exitCode === null && s.process.signalCode === null) await s.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(auditDataDir, { recursive: true, force: true });
});

const relationship = (org: string, user: string): v1.Relationship => ({
  resource: { objectType: "organization", objectId: org },
  relation: "owner",
  subject: { object: { objectType: "user", objectId: user }, optionalRelation: "" },
});

describe("embedded Accord with ACCORD_GRPC_PORT", () => {
  it("serves authzed clients holding an admin key, refuses other keys, and keeps gRPC writes across kill -9", async () => {
    const grpcPort = await freePort();
    const env = {
      ACCORD_DATA_DIR: dataDir,
      ACCORD_GRPC_PORT: String(grpcPort),
      ACCORD_API_KEYS: JSON.stringify([
        { name: "admin", key: KEYS.admin, scopes: ["admin"] },
        { name: "manage", key: KEYS.manage, scopes: ["manage"] },
      ]),
    };
    const first = await spawnServer(env);
    servers.push(first);
    const [org, alice] = [uid("org"), uid("alice")];
    const admin = v1.NewClient(KEYS.admin, `127.0.0.1:${grpcPort}`, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    const manage = v1.NewClient(KEYS.manage, `127.0.0.1:${grpcPort}`, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    try {
      const written = await admin.promises.writeRelationships(
        v1.WriteRelationshipsRequest.create({ updates: [{ operation: v1.RelationshipUpdate_Operation.CREATE, relationship: relationship(org, alice) }] }),
      );
      expect(written.writtenAt?.token).toBeTruthy();
      // The HTTP API of the same process sees the gRPC write.
      const check = await callJson(first.url, "POST", "/v1/check", {
        body: { resource: `organization:${org}`, permission: "delete", subject: `user:${alice}`, consistency: { atLeastAsFresh: written.writtenAt!.token } },
      });
      expect(check.body.allowed).toBe(true);
      await expect(manage.promises.readSchema(v1.ReadSchemaRequest.create({}))).rejects.toMatchObject({ code: 7 });
      const stranger = v1.NewClient("not-an-accord-key-at-all", `127.0.0.1:${grpcPort}`, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
      await expect(stranger.promises.readSchema(v1.ReadSchemaRequest.create({}))).rejects.toMatchObject({ code: 16 });
      stranger.close();
    } finally {
      admin.close();
      manage.close();
    }

    await first.kill("SIGKILL");
    const second = await spawnServer(env);
    servers.push(second);
    const again = v1.NewClient(KEYS.admin, `127.0.0.1:${grpcPort}`, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    try {
      const read = await again.promises.readRelationships(
        v1.ReadRelationshipsRequest.create({
          consistency: { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } },
          relationshipFilter: { resourceType: "organization", optionalResourceId: org, optionalRelation: "", optionalResourceIdPrefix: "" },
        }),
      );
      expect(read.map((r) => r.relationship?.subject?.object?.objectId)).toEqual([alice]);
      const schema = await again.promises.readSchema(v1.ReadSchemaRequest.create({}));
      expect(schema.schemaText).toContain("definition organization");
    } finally {
      again.close();
    }
  });
});

describe("the audit log of embedded Accord with ACCORD_GRPC_PORT", () => {
  it("records gRPC writes, deletes and schema writes with the key's name as actor, the changes and the token; reads record nothing", async () => {
    const grpcPort = await freePort();
    const server = await spawnServer({
      ACCORD_DATA_DIR: auditDataDir,
      ACCORD_GRPC_PORT: String(grpcPort),
      ACCORD_API_KEYS: JSON.stringify([{ name: "deployer", key: KEYS.admin, scopes: ["admin"] }]),
    });
    servers.push(server);
    const [org, alice, bob] = [uid("org"), uid("alice"), uid("bob")];
    const member = { ...relationship(org, bob), relation: "member" };
    const client = v1.NewClient(KEYS.admin, `127.0.0.1:${grpcPort}`, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    let tokens: { write: string; delete: string; schema: string };
    try {
      const written = await client.promises.writeRelationships(
        v1.WriteRelationshipsRequest.create({
          updates: [
            { operation: v1.RelationshipUpdate_Operation.TOUCH, relationship: relationship(org, alice) },
            { operation: v1.RelationshipUpdate_Operation.CREATE, relationship: member },
          ],
        }),
      );
      const deleted = await client.promises.deleteRelationships(
        v1.DeleteRelationshipsRequest.create({
          relationshipFilter: { resourceType: "organization", optionalResourceId: org, optionalRelation: "member", optionalResourceIdPrefix: "" },
        }),
      );
      const schema = readFileSync(join(import.meta.dirname, "..", "..", "schema.zed"), "utf8");
      const schemaWritten = await client.promises.writeSchema(v1.WriteSchemaRequest.create({ schema }));
      // A refused write (its precondition fails) and reads change nothing and record nothing.
      const refused = client.promises.writeRelationships(
        v1.WriteRelationshipsRequest.create({
          updates: [{ operation: v1.RelationshipUpdate_Operation.TOUCH, relationship: member }],
          optionalPreconditions: [
            {
              operation: v1.Precondition_Operation.MUST_MATCH,
              filter: { resourceType: "organization", optionalResourceId: org, optionalRelation: "admin", optionalResourceIdPrefix: "" },
            },
          ],
        }),
      );
      await expect(refused).rejects.toMatchObject({ code: 9 });
      await client.promises.readSchema(v1.ReadSchemaRequest.create({}));
      tokens = { write: written.writtenAt!.token, delete: deleted.deletedAt!.token, schema: schemaWritten.writtenAt!.token };
    } finally {
      client.close();
    }

    const audit = async (query: Record<string, string>) => {
      const res = await callJson(server.url, "GET", `/v1/audit?${new URLSearchParams(query)}`);
      expect(res.status).toBe(200);
      return res.body.entries as Array<Record<string, unknown>>;
    };
    const byKey = await audit({ actor: "key:deployer" });
    expect(byKey.map((e) => e.action)).toEqual([
      "gRPC /authzed.api.v1.SchemaService/WriteSchema",
      "gRPC /authzed.api.v1.PermissionsService/DeleteRelationships",
      "gRPC /authzed.api.v1.PermissionsService/WriteRelationships",
    ]);
    const [schemaEntry, deleteEntry, writeEntry] = byKey;
    const by = { principal: "key:deployer", actor: "key:deployer", status: "committed" };
    expect(writeEntry).toMatchObject({ ...by, target: `organization:${org}`, zedToken: tokens.write });
    expect(writeEntry!.changes).toEqual([
      { operation: "touch", relationship: `organization:${org}#owner@user:${alice}` },
      { operation: "create", relationship: `organization:${org}#member@user:${bob}` },
    ]);
    expect(deleteEntry).toMatchObject({ ...by, target: `organization:${org}`, zedToken: tokens.delete });
    expect(deleteEntry!.changes).toEqual([{ operation: "delete", relationship: `organization:${org}#member@user:${bob}` }]);
    expect(schemaEntry).toMatchObject({ ...by, target: "schema", zedToken: tokens.schema });
    // The changed subjects find the entries too, as for writes over HTTP.
    expect((await audit({ object: `user:${bob}` })).map((e) => e.id)).toEqual([deleteEntry!.id, writeEntry!.id]);
  });
});
