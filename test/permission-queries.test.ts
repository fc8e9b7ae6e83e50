// Pins the permission query contract (docs/api.md): check, bulk, lookups, explain, consistency.
import { describe, expect, it } from "vitest";
import { useTestServer, uid, } from "./support/test-server.js";

const server = useTestServer();

async function write(...relationships: string[]) {
  const res = await server.call("POST", "/v1/relationships", {
    body: { updates: relationships.map((relationship) => ({ operation: "touch", relationship })) },
  });
  expect(res.status).toBe(200);
  return res.body.zedToken as string;
}

const check = (resource: string, permission: string, subject: string, extra: object = {}) =>
  server.call("POST", "/v1/check", { key: "check", body: { resource, permission, subject, ...extra } });

describe("POST /v1/check", () => {
  it("allows through project inheritance and denies others", async () => {
    const [p, d, alice, bob] = [uid("p"), uid("d"), uid("alice"), uid("bob")];
    await write(`project:${p}#viewer@user:${alice}`, `resource:${d}#project@project:${p}`);
    const yes = await check(`resource:${d}`, "view", `user:${alice}`);
    expect(yes.status).toBe(200);
    expect(yes.body.allowed).toBe(true);
    expect(typeof yes.body.zedToken).toBe("string");
    expect((await check(`resource:${d}`, "edit", `user:${alice}`)).body.allowed).toBe(false);
    expect((await check(`resource:${d}`, "view", `user:${bob}`)).body.allowed).toBe(false);
  });

  it("sees a write acknowledged just before it (read-your-writes) and honours atLeastAsFresh", async () => {
    const [p, u] = [uid("p"), uid("u")];
    for (let i = 0; i < 5; i++) {
      const token = await write(`project:${p}#editor@user:${u}${i}`);
      expect((await check(`project:${p}`, "edit", `user:${u}${i}`)).body.allowed).toBe(true);
      const fresh = await check(`project:${p}`, "edit", `user:${u}${i}`, { consistency: { atLeastAsFresh: token } });
      expect(fresh.body.allowed).toBe(true);
    }
    expect((await check(`project:${p}`, "view", `user:${u}0`, { consistency: "full" })).body.allowed).toBe(true);
  });

  it("reports a caveated grant as conditional with the missing context, and decides with context", async () => {
    const [d, u] = [uid("d"), uid("u")];
    const res = await server.call("POST", "/v1/relationships", {
      body: { updates: [{ operation: "touch", relationship: `resource:${d}#viewer@user:${u}`, caveat: { name: "ip_allowlist", context: { allowed_cidr: "10.0.0.0/8" } } }] },
    });
    expect(res.status).toBe(200);
    const conditional = await check(`resource:${d}`, "view", `user:${u}`);
    expect(conditional.body).toMatchObject({ allowed: false, conditional: true, missingContext: ["user_ip"] });
    expect((await check(`resource:${d}`, "view", `user:${u}`, { context: { user_ip: "10.1.2.3" } })).body.allowed).toBe(true);
    expect((await check(`resource:${d}`, "view", `user:${u}`, { context: { user_ip: "192.168.0.1" } })).body.allowed).toBe(false);
  });

  it.each([
    [{ resource: "project", permission: "view", subject: "user:a" }, "resource"],
    [{ resource: "project:p1", permission: "View!", subject: "user:a" }, "permission"],
    [{ resource: "project:p1", permission: "view", subject: "alice" }, "subject"],
    [{ resource: "project:p1", permission: "view" }, "subject"],
    [{ resource: "project:p1", permission: "view", subject: "user:a", extra: 1 }, ""],
    [{ resource: "project:p1", permission: "view", subject: "user:a", consistency: "sometimes" }, "consistency"],
  ])("rejects malformed body %j naming the field", async (body, field) => {
    const res = await server.call("POST", "/v1/check", { key: "check", body });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.code).toBe("invalid_request");
    if (field) expect(res.body.field).toBe(field);
  });

  it("names the field when the schema does not know the type or permission", async () => {
    const unknownPermission = await check("project:p1", "fly", "user:a");
    expect(unknownPermission.status).toBe(400);
    expect(unknownPermission.body.field).toBe("permission");
    const unknownType = await check("spaceship:p1", "view", "user:a");
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.field).toBe("resource");
    const unknownSubject = await check("project:p1", "view", "robot:a");
    expect(unknownSubject.status).toBe(400);
    expect(unknownSubject.body.field).toBe("subject");
  });

  it("answers 400, not 500, for a body that is not JSON", async () => {
    const res = await server.call("POST", "/v1/check", { key: "check", body: "{nope" });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_request");
  });
});

describe("POST /v1/check/bulk", () => {
  it("answers each item and keeps an error with its item", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await write(`project:${p}#manager@user:${u}`);
    const res = await server.call("POST", "/v1/check/bulk", {
      key: "check",
      body: {
        items: [
          { resource: `project:${p}`, permission: "manage_members", subject: `user:${u}` },
          { resource: `project:${p}`, permission: "manage_admins", subject: `user:${u}` },
          { resource: `project:${p}`, permission: "no_such_permission", subject: `user:${u}` },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toEqual({ allowed: true });
    expect(res.body.results[1]).toEqual({ allowed: false });
    expect(res.body.results[2].error.code).toBe("invalid_request");
    expect(typeof res.body.zedToken).toBe("string");
  });

  it("bounds the number of items", async () => {
    const items = Array.from({ length: 1001 }, () => ({ resource: "project:p", permission: "view", subject: "user:u" }));
    const res = await server.call("POST", "/v1/check/bulk", { key: "check", body: { items } });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("items");
  });
});

describe("lookups", () => {
  it("lists resources a user can view, paged with a cursor", async () => {
    const u = uid("u");
    const projects = Array.from({ length: 5 }, () => uid("p"));
    await write(...projects.map((p) => `project:${p}#viewer@user:${u}`));
    const first = await server.call("POST", "/v1/lookup/resources", { key: "check", body: { resourceType: "project", permission: "view", subject: `user:${u}`, limit: 3 } });
    expect(first.status).toBe(200);
    expect(first.body.resources).toHaveLength(3);
    expect(first.body.cursor).toBeTruthy();
    const second = await server.call("POST", "/v1/lookup/resources", { key: "check", body: { resourceType: "project", permission: "view", subject: `user:${u}`, limit: 3, cursor: first.body.cursor } });
    expect(second.status).toBe(200);
    expect([...first.body.resources, ...second.body.resources].sort()).toEqual([...projects].sort());
  });

  it("lists subjects holding a permission", async () => {
    const [p, a, b] = [uid("p"), uid("a"), uid("b")];
    await write(`project:${p}#editor@user:${a}`, `project:${p}#guest@user:${b}`);
    const res = await server.call("POST", "/v1/lookup/subjects", { key: "check", body: { resource: `project:${p}`, permission: "view", subjectType: "user" } });
    expect(res.status).toBe(200);
    expect(res.body.subjects).toEqual([a]);
  });
});

describe("POST /v1/explain", () => {
  it("gives the path of relationships that grants the permission", async () => {
    const [p, d, u] = [uid("p"), uid("d"), uid("u")];
    await write(`project:${p}#editor@user:${u}`, `resource:${d}#project@project:${p}`);
    const res = await server.call("POST", "/v1/explain", { key: "check", body: { resource: `resource:${d}`, permission: "edit", subject: `user:${u}` } });
    expect(res.status).toBe(200);
    expect(res.body.allowed).toBe(true);
    expect(res.body.path.map((s: { node: string }) => s.node)).toEqual([`resource:${d}#edit`, `project:${p}#edit`, `project:${p}#editor`]);
    expect(res.body.grantedBy).toBe(`project:${p}#editor@user:${u}`);
  });

  it("gives no path when denied", async () => {
    const res = await server.call("POST", "/v1/explain", { key: "check", body: { resource: `project:${uid("p")}`, permission: "view", subject: "user:nobody" } });
    expect(res.status).toBe(200);
    expect(res.body.allowed).toBe(false);
    expect(res.body.path).toEqual([]);
  });
});
