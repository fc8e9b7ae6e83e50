// Pins `accord export` / `accord import` (the real CLI, as processes): an embedded installation
// dumped to JSON lines and loaded into an empty embedded one, and into remote mode (gRPC engine
// + PostgreSQL), holds the same relationships and app state afterwards; the product serves it.
import pg from "pg";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import { PostgresStore } from "../../src/store/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { uid } from "../support/test-server.js";
import { postgresAvailable, TEST_DATABASE_URL } from "../store/postgres-test-database.js";
import { ENGINE_TOKEN, SCHEMA, startRemoteBackends } from "./remote-backends.js";
import { startReplica } from "./remote-app.js";

const ROOT = join(import.meta.dirname, "..", "..");
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "accord-dump-"));
  dirs.push(dir);
  return dir;
};

function accord(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src", "cli", "main.ts"), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ACCORD_LOG_LEVEL: "silent", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** normalize drops what legitimately differs between two dumps (time, mode, audit ids) and sorts. */
function normalize(dump: string): string[] {
  return dump
    .split("\n")
    .filter(Boolean)
    .map((text) => JSON.parse(text))
    .map((line) => {
      if (line.type === "header") return { type: "header", version: line.version, schema: line.schema };
      if (line.type === "audit") return { ...line, entry: { ...line.entry, id: undefined } };
      return line;
    })
    .map((line) => JSON.stringify(line))
    .sort();
}

const [olivia, org, viewer] = [uid("olivia"), uid("org"), uid("viewer")];
const inviteId = `inv-${randomBytes(6).toString("hex")}`;
let dump = "";

beforeAll(async () => {
  // The source: an embedded installation with product objects, raw tuples (one caveated, one
  // expiring), a personal plan, an invitation and the audit entries the writes produced.
  const source = tempDir();
  const engine = await EmbeddedEngine.open({ schema: SCHEMA, dataDir: source });
  const store = await SqliteStore.open(source);
  const app = await startReplica(engine, store);
  try {
    expect((await app.call("POST", "/v1/orgs", { key: "manage", actor: `user:${olivia}`, body: { id: org, name: "Moving Co", seatLimit: 9 } })).status).toBe(201);
    const raw = await app.call("POST", "/v1/relationships", {
      body: {
        updates: [
          { operation: "touch", relationship: `organization:${org}#member@user:${viewer}` },
          { operation: "touch", relationship: `project:${uid("p")}#viewer@user:${uid("temp")}`, expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
          { operation: "touch", relationship: `resource:${uid("r")}#viewer@user:${uid("office")}`, caveat: { name: "ip_allowlist", context: { allowed_cidr: "10.0.0.0/8" } } },
        ],
      },
    });
    expect(raw.status, JSON.stringify(raw.body)).toBe(200);
    await store.setPlan(olivia, "scale", new Date());
    const now = new Date();
    const invited = await store.insertInvitation(
      {
        id: inviteId, targetType: "organization", targetId: org, orgId: org, invitee: { kind: "email", id: "new@example.com" },
        role: "member", holdsSeat: true, status: "pending", invitedBy: olivia, createdAt: now, updatedAt: now, expiresAt: new Date(now.getTime() + 86_400_000),
      },
      { now },
    );
    expect(invited).toBe("created");
    for (const action of ["first change", "second change"]) {
      await store.appendAudit(
        { at: new Date(), principal: "key:admin", actor: `user:${olivia}`, action, target: `organization:${org}`, changes: [{ operation: "touch", relationship: `organization:${org}#member@user:${viewer}` }], zedToken: "token", objects: [`organization:${org}`, `user:${viewer}`] },
        "committed",
      );
    }
  } finally {
    await app.close();
    await engine.close();
    await store.close();
  }
  const exported = await accord(["export"], { ACCORD_DATA_DIR: source });
  expect(exported.code, exported.stderr).toBe(0);
  dump = exported.stdout;
}, 120_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("accord export", () => {
  it("writes a header, then relationships (caveat and expiry kept) and app state as JSON lines", () => {
    const lines = dump.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: "header", format: "accord-export", version: 1, mode: "embedded" });
    expect(lines[0].schema).toContain("definition organization");
    const relationships = lines.filter((l) => l.type === "relationship").map((l) => l.relationship);
    expect(relationships.filter((r) => r.resource.id === org).length).toBeGreaterThanOrEqual(2);
    expect(relationships.some((r) => r.caveat?.name === "ip_allowlist" && r.caveat.context.allowed_cidr === "10.0.0.0/8")).toBe(true);
    expect(relationships.some((r) => typeof r.expiresAt === "string")).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ type: "object", object: expect.objectContaining({ kind: "organization", id: org, name: "Moving Co", seatLimit: 9 }) }));
    expect(lines).toContainEqual({ type: "plan", userId: olivia, plan: "scale" });
    expect(lines).toContainEqual(expect.objectContaining({ type: "invitation", invitation: expect.objectContaining({ id: inviteId, status: "pending" }) }));
    const audit = lines.filter((l) => l.type === "audit").map((l) => l.entry);
    expect(audit.map((e) => e.action).slice(-2)).toEqual(["first change", "second change"]);
  });
});

describe("accord import", () => {
  it("loads the dump into an empty embedded installation, which then exports the same state", async () => {
    const target = tempDir();
    const imported = await accord(["import"], { ACCORD_DATA_DIR: target }, dump);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/"invitations":1/);
    const again = await accord(["export"], { ACCORD_DATA_DIR: target });
    expect(again.code, again.stderr).toBe(0);
    expect(normalize(again.stdout)).toEqual(normalize(dump));
  });

  it("refuses input that is not a dump, writing nothing", async () => {
    const target = tempDir();
    const refused = await accord(["import"], { ACCORD_DATA_DIR: target }, `{"type":"relationship","relationship":{}}\n`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not an accord export/);
  });
});

const available = await postgresAvailable();

describe.skipIf(!available)("moving from embedded to remote mode", () => {
  it("imports into SpiceDB-over-gRPC + PostgreSQL, exports the same state back, and serves it", async () => {
    const backends = await startRemoteBackends();
    const database = `accord_import_${process.pid}_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    const env = { SPICEDB_ENDPOINT: backends.endpoint, SPICEDB_TOKEN: ENGINE_TOKEN, SPICEDB_INSECURE: "true", DATABASE_URL: url.toString() };
    try {
      const imported = await accord(["import"], env, dump);
      expect(imported.code, imported.stderr).toBe(0);
      const again = await accord(["export"], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout.split("\n")[0]).toContain('"mode":"remote"');
      expect(normalize(again.stdout)).toEqual(normalize(dump));
      // The product, in remote mode, serves what was moved.
      const engine = await backends.remoteEngine();
      const store = await PostgresStore.open({ connectionString: url.toString() });
      const replica = await startReplica(engine, store);
      try {
        const read = await replica.call("GET", `/v1/orgs/${org}`, { key: "manage", actor: `user:${olivia}` });
        expect(read.status).toBe(200);
        expect(read.body).toMatchObject({ name: "Moving Co", seatLimit: 9 });
        const check = await replica.call("POST", "/v1/check", { body: { resource: `organization:${org}`, permission: "view", subject: `user:${viewer}`, consistency: "full" } });
        expect(check.body.allowed).toBe(true);
      } finally {
        await replica.close();
        await store.close();
      }
    } finally {
      await backends.close();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  });
});
