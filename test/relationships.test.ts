// Pins the raw relationship and schema admin contract: write/read/delete, preconditions,
// expiration, atomic rejection, and schema replacement that never orphans relationships.
import { describe, expect, it } from "vitest";
import { SCHEMA, useTestServer, uid, } from "./support/test-server.js";

const server = useTestServer();

const writeRaw = (updates: unknown[], preconditions?: unknown[]) =>
  server.call("POST", "/v1/relationships", { body: preconditions ? { updates, preconditions } : { updates } });
const list = async (query: string) => {
  const res = await server.call("GET", `/v1/relationships?${query}`);
  expect(res.status).toBe(200);
  return (res.body.relationships as Array<{ relationship: string }>).map((r) => r.relationship);
};
const allowed = async (resource: string, permission: string, subject: string) =>
  (await server.call("POST", "/v1/check", { body: { resource, permission, subject } })).body.allowed as boolean;

describe("relationships", () => {
  it("writes, reads by resource and by subject, and deletes by filter", async () => {
    const [p, u] = [uid("p"), uid("u")];
    const w = await writeRaw([
      { operation: "create", relationship: `project:${p}#viewer@user:${u}` },
      { operation: "touch", relationship: `project:${p}#editor@group:${p}g#member` },
    ]);
    expect(w.status).toBe(200);
    expect(w.body.zedToken).toBeTruthy();
    expect((await list(`resourceType=project&resourceId=${p}`)).sort()).toEqual([`project:${p}#editor@group:${p}g#member`, `project:${p}#viewer@user:${u}`]);
    expect(await list(`subjectType=user&subjectId=${u}`)).toEqual([`project:${p}#viewer@user:${u}`]);
    const del = await server.call("DELETE", "/v1/relationships", { body: { filter: { resourceType: "project", resourceId: p, relation: "viewer" } } });
    expect(del.status).toBe(200);
    expect(await list(`resourceType=project&resourceId=${p}`)).toEqual([`project:${p}#editor@group:${p}g#member`]);
    expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(false);
  });

  it("pages through relationships with a cursor", async () => {
    const p = uid("p");
    await writeRaw(Array.from({ length: 7 }, (_, i) => ({ operation: "touch", relationship: `project:${p}#viewer@user:u${i}` })));
    const first = await server.call("GET", `/v1/relationships?resourceType=project&resourceId=${p}&limit=4`);
    expect(first.body.relationships).toHaveLength(4);
    expect(first.body.cursor).toBeTruthy();
    const second = await server.call("GET", `/v1/relationships?resourceType=project&resourceId=${p}&limit=4&cursor=${encodeURIComponent(first.body.cursor)}`);
    expect(second.body.relationships).toHaveLength(3);
    expect(second.body.cursor).toBeUndefined();
  });

  it("answers 409 for create of an existing relationship and for a failed precondition, writing nothing", async () => {
    const [p, u, v] = [uid("p"), uid("u"), uid("v")];
    await writeRaw([{ operation: "touch", relationship: `project:${p}#viewer@user:${u}` }]);
    const dup = await writeRaw([
      { operation: "touch", relationship: `project:${p}#viewer@user:${v}` },
      { operation: "create", relationship: `project:${p}#viewer@user:${u}` },
    ]);
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe("already_exists");
    const pre = await writeRaw([{ operation: "touch", relationship: `project:${p}#viewer@user:${v}` }], [
      { operation: "must_exist", filter: { resourceType: "project", resourceId: p, relation: "admin" } },
    ]);
    expect(pre.status).toBe(409);
    expect(pre.body.code).toBe("precondition_failed");
    expect(await allowed(`project:${p}`, "view", `user:${v}`)).toBe(false);
    expect(await list(`resourceType=project&resourceId=${p}`)).toEqual([`project:${p}#viewer@user:${u}`]);
  });

  it("rejects a whole write when one update is invalid (400 naming the field), writing nothing", async () => {
    const [p, u] = [uid("p"), uid("u")];
    const bad = await writeRaw([
      { operation: "touch", relationship: `project:${p}#viewer@user:${u}` },
      { operation: "touch", relationship: `project:${p}#owner@user:${u}` },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("invalid_request");
    expect(bad.body.field).toBe("updates");
    const malformed = await writeRaw([{ operation: "touch", relationship: `project:${p}viewer@user:${u}` }]);
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe("updates.0.relationship");
    const wrongOp = await writeRaw([{ operation: "upsert", relationship: `project:${p}#viewer@user:${u}` }]);
    expect(wrongOp.body.field).toBe("updates.0.operation");
    expect(await list(`resourceType=project&resourceId=${p}`)).toEqual([]);
  });

  it("lets a relationship expire by itself at expiresAt", async () => {
    const [p, u] = [uid("p"), uid("u")];
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const res = await writeRaw([{ operation: "touch", relationship: `project:${p}#viewer@user:${u}`, expiresAt }]);
    expect(res.status).toBe(200);
    const listed = await server.call("GET", `/v1/relationships?resourceType=project&resourceId=${p}`);
    expect(listed.body.relationships[0].expiresAt).toBe(expiresAt);
    expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(true);
    let stillAllowed = true;
    for (let i = 0; i < 40 && stillAllowed; i++) {
      await new Promise((r) => setTimeout(r, 100));
      stillAllowed = await allowed(`project:${p}`, "view", `user:${u}`);
    }
    expect(stillAllowed).toBe(false);
  });

  it("requires a filter with a resource type to delete, and a type to read", async () => {
    const del = await server.call("DELETE", "/v1/relationships", { body: { filter: {} } });
    expect(del.status).toBe(400);
    expect(del.body.field).toBe("filter.resourceType");
    const read = await server.call("GET", "/v1/relationships");
    expect(read.status).toBe(400);
    const subjectIdOnly = await server.call("GET", "/v1/relationships?resourceType=project&subjectId=x");
    expect(subjectIdOnly.status).toBe(400);
    expect(subjectIdOnly.body.field).toBe("query.subjectType");
  });
});

describe("schema", () => {
  it("reads the schema written at start-up", async () => {
    const res = await server.call("GET", "/v1/schema");
    expect(res.status).toBe(200);
    expect(res.body.schema).toContain("definition project");
  });

  it("refuses a schema with a syntax error (400) and keeps the old one", async () => {
    const res = await server.call("PUT", "/v1/schema", { body: { schema: "definition broken {" } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_request");
    expect((await server.call("GET", "/v1/schema")).body.schema).toContain("definition project");
  });

  it("refuses a schema that would orphan stored relationships (409) and keeps the old one", async () => {
    const p = uid("p");
    await writeRaw([{ operation: "touch", relationship: `project:${p}#guest@user:x` }]);
    const withoutGuest = SCHEMA.replace(/\n\s*relation guest:[^\n]*/, "").replace(/guest \+ /, "");
    const res = await server.call("PUT", "/v1/schema", { body: { schema: withoutGuest } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("precondition_failed");
    expect(res.body.detail).toMatch(/guest/);
    expect((await server.call("GET", "/v1/schema")).body.schema).toMatch(/relation guest/);
  });

  it("accepts a compatible schema change", async () => {
    const extended = SCHEMA + "\ndefinition team_note {\n  relation author: user\n  permission read = author\n}\n";
    const res = await server.call("PUT", "/v1/schema", { body: { schema: extended } });
    expect(res.status).toBe(200);
    const w = await writeRaw([{ operation: "touch", relationship: "team_note:n1#author@user:a" }]);
    expect(w.status).toBe(200);
    expect(await allowed("team_note:n1", "read", "user:a")).toBe(true);
  });
});

describe("POST /v1/schema/validate", () => {
  it("returns the validator's findings: ok for a passing document, each failure with its line", async () => {
    const schema = "definition user {}\\ndefinition doc {\\n  relation reader: user\\n  permission read = reader\\n}";
    const yaml = (flip: boolean) =>
      `schema: "${schema}"\nrelationships: |-\n  doc:d1#reader@user:ann\nassertions:\n  assertTrue:\n    - doc:d1#read@user:ann\n  assertFalse:\n    - doc:d1#read@user:${flip ? "ann" : "bob"}\n`;
    const ok = await server.call("POST", "/v1/schema/validate", { body: { yaml: yaml(false) } });
    expect(ok.status).toBe(200);
    expect(ok.body.ok).toBe(true);
    expect(ok.body.totals).toMatchObject({ relationshipsLoaded: 1, assertionsRun: 2, failures: 0 });
    const bad = await server.call("POST", "/v1/schema/validate", { body: { yaml: yaml(true) } });
    expect(bad.body.ok).toBe(false);
    expect(bad.body.documents[0].findings[0]).toMatchObject({ kind: "assertion_failed", line: 8 });
  });

  it("checks a bare schema and reports a syntax error with line and column", async () => {
    const res = await server.call("POST", "/v1/schema/validate", { body: { schema: "definition user {}\ndefinition doc {\n  relation reader user\n}" } });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    const finding = res.body.documents[0].findings[0];
    expect(finding.kind).toBe("schema_error");
    expect(finding.line).toBe(3);
    expect(finding.column).toBeGreaterThan(0);
  });

  it("never reads schemaFile from the server's disk", async () => {
    const res = await server.call("POST", "/v1/schema/validate", { body: { yaml: "schemaFile: /etc/passwd\nrelationships: ''\n" } });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(JSON.stringify(res.body)).not.toContain("root:");
  });

  it("needs exactly one of yaml or schema, and the admin scope", async () => {
    expect((await server.call("POST", "/v1/schema/validate", { body: {} })).status).toBe(400);
    expect((await server.call("POST", "/v1/schema/validate", { key: "manage", body: { schema: "definition user {}" } })).status).toBe(403);
  });
});

describe("paging while others write", () => {
  it("keeps a cursor valid across writes in between (the page snapshot is kept)", async () => {
    const p = uid("p");
    await writeRaw(Array.from({ length: 6 }, (_, i) => ({ operation: "touch", relationship: `project:${p}#viewer@user:w${i}` })));
    const first = await server.call("GET", `/v1/relationships?resourceType=project&resourceId=${p}&limit=3`);
    await writeRaw([{ operation: "touch", relationship: `project:${uid("other")}#viewer@user:x` }]);
    const second = await server.call("GET", `/v1/relationships?resourceType=project&resourceId=${p}&limit=3&cursor=${encodeURIComponent(first.body.cursor)}`);
    expect(second.status).toBe(200);
    expect(second.body.relationships).toHaveLength(3);
    const lookupFirst = await server.call("POST", "/v1/lookup/resources", { key: "check", body: { resourceType: "project", permission: "view", subject: "user:w0", limit: 1 } });
    await writeRaw([{ operation: "touch", relationship: `project:${uid("other")}#viewer@user:y` }]);
    const bogus = await server.call("GET", `/v1/relationships?resourceType=project&cursor=not-a-cursor`);
    expect(bogus.status).toBe(400);
    expect(lookupFirst.status).toBe(200);
  });
});
