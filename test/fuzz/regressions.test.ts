// Pins the cases the fuzzers found, as plain tests: each once answered 5xx (or wrote) where the
// contract says 400 and nothing written.
import { describe, expect, it } from "vitest";
import { KEYS, useTestServer, uid, } from "../support/test-server.js";

const server = useTestServer();

const caveated = (resource: string, context: unknown) => ({
  updates: [{ operation: "touch", relationship: `resource:${resource}#viewer@user:gus`, caveat: { name: "ip_allowlist", context } }],
});
const stored = async (resource: string) => (await server.call("GET", `/v1/relationships?resourceType=resource&resourceId=${resource}`)).body.relationships as unknown[];

describe("caveat contexts of the wrong shape", () => {
  it("a write whose context has a parameter of the wrong type or an unknown one is 400, and writes nothing", async () => {
    const resource = uid("res");
    for (const context of [{ allowed_cidr: ["10.0.0.0/8"] }, { allowed_cidr: 5 }, { allowed_cidr: null }, { allowed_cidr: "10.0.0.0/8", extra: 1 }, { user_ip: "not-an-ip" }]) {
      const res = await server.call("POST", "/v1/relationships", { body: caveated(resource, context) });
      expect(res.status, JSON.stringify(context)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe("invalid_request");
    }
    expect(await stored(resource)).toEqual([]);
    expect((await server.call("POST", "/v1/relationships", { body: caveated(resource, { allowed_cidr: "10.0.0.0/8" }) })).status).toBe(200);
    expect(await stored(resource)).toHaveLength(1);
  });

  it("a context nested deeper than 32 levels is 400 naming the field, on writes and on checks", async () => {
    const resource = uid("res");
    // Built as text: JSON.stringify itself cannot serialise the deepest of these.
    const deep = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;
    for (const depth of [40, 2_000, 100_000]) {
      const writeBody = JSON.stringify(caveated(resource, { allowed_cidr: "@" })).replace('"@"', deep(depth, "[", "]"));
      const write = await server.call("POST", "/v1/relationships", { body: writeBody });
      expect(write.status, `write, depth ${depth}`).toBe(400);
      expect(write.body.field).toBe("updates.0.caveat.context");
      const checkBody = JSON.stringify({ resource: `resource:${resource}`, permission: "view", subject: "user:gus", context: { user_ip: "@" } }).replace('"@"', deep(depth, '{"a":', "}"));
      const check = await server.call("POST", "/v1/check", { body: checkBody });
      expect(check.status, `check, depth ${depth}`).toBe(400);
      expect(check.body.field).toBe("context");
    }
    expect(await stored(resource)).toEqual([]);
  });
});

describe("HEAD on the watch stream", () => {
  it("answers the stream's headers at once instead of hanging with a watch held open", async () => {
    const started = Date.now();
    const res = await fetch(`${server.url}/v1/watch`, { method: "HEAD", headers: { authorization: `Bearer ${KEYS.admin}` }, signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("a grant racing the grantee's removal from the organization (rules 4 and 6)", () => {
  it("never leaves the removed user a project role, a resource share or a created project", async () => {
    const as = (user: string) => ({ key: "manage" as const, actor: `user:${user}` });
    for (let i = 0; i < 12; i++) {
      const [org, project, resource, owner, user, created] = [uid("org"), uid("prj"), uid("res"), uid("own"), uid("usr"), uid("prj")];
      expect((await server.call("POST", "/v1/orgs", { ...as(owner), body: { id: org } })).status).toBe(201);
      expect((await server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(owner), body: { role: "member", scopes: { projects: "full" } } })).status).toBe(200);
      expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id: project, owner: `organization:${org}` } })).status).toBe(201);
      expect((await server.call("PUT", `/v1/resources/${resource}`, { ...as(owner), body: { project } })).status).toBe(201);
      // Grants go through the project's lock, the removal through the organization's: they race.
      const answers = await Promise.all([
        server.call("PUT", `/v1/projects/${project}/members/user%3A${user}`, { ...as(owner), body: { role: "viewer" } }),
        server.call("PUT", `/v1/resources/${resource}/members/user%3A${user}`, { ...as(owner), body: { role: "editor" } }),
        server.call("POST", "/v1/projects", { ...as(user), body: { id: created, owner: `organization:${org}` } }),
        new Promise((resolve) => setTimeout(resolve, i % 4)).then(() => server.call("DELETE", `/v1/orgs/${org}/members/${user}`, as(owner))),
      ]);
      for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
      expect(answers[3]!.status).toBe(200);
      for (const type of ["project", "resource"]) {
        const left = (await server.call("GET", `/v1/relationships?resourceType=${type}&subjectType=user&subjectId=${user}`)).body.relationships;
        expect(left, `iteration ${i}`).toEqual([]);
      }
      const checks = await server.call("POST", "/v1/check/bulk", {
        body: { items: [`project:${project}`, `resource:${resource}`, `project:${created}`].map((resource) => ({ resource, permission: "view", subject: `user:${user}` })) },
      });
      expect(checks.body.results.map((r: { allowed: boolean }) => r.allowed)).toEqual([false, false, false]);
    }
  });
});

describe("a grant to a group racing the group's deletion", () => {
  it("leaves no grant naming the deleted group (a new group of the same id would inherit it)", async () => {
    const as = (user: string) => ({ key: "manage" as const, actor: `user:${user}` });
    for (let i = 0; i < 12; i++) {
      const [org, project, resource, owner, group] = [uid("org"), uid("prj"), uid("res"), uid("own"), uid("grp")];
      expect((await server.call("POST", "/v1/orgs", { ...as(owner), body: { id: org } })).status).toBe(201);
      expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id: project, owner: `organization:${org}` } })).status).toBe(201);
      expect((await server.call("PUT", `/v1/resources/${resource}`, { ...as(owner), body: { project } })).status).toBe(201);
      expect((await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(owner), body: { id: group } })).status).toBe(201);
      const answers = await Promise.all([
        server.call("PUT", `/v1/projects/${project}/members/group%3A${group}`, { ...as(owner), body: { role: "editor" } }),
        server.call("PUT", `/v1/resources/${resource}/members/group%3A${group}`, { ...as(owner), body: { role: "viewer" } }),
        new Promise((resolve) => setTimeout(resolve, i % 4)).then(() => server.call("DELETE", `/v1/groups/${group}`, as(owner))),
      ]);
      for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
      expect(answers[2]!.status).toBe(200);
      for (const type of ["project", "resource"]) {
        const left = (await server.call("GET", `/v1/relationships?resourceType=${type}&subjectType=group&subjectId=${group}`)).body.relationships;
        expect(left, `iteration ${i}`).toEqual([]);
      }
    }
  });
});

describe("writes into a project racing its deletion", () => {
  it("leave no relationship naming the deleted project or its resources (a later project of the same id would inherit them)", async () => {
    const as = (user: string) => ({ key: "manage" as const, actor: `user:${user}` });
    for (let i = 0; i < 12; i++) {
      const [org, project, resource, fresh, owner, user] = [uid("org"), uid("prj"), uid("res"), uid("res"), uid("own"), uid("usr")];
      expect((await server.call("POST", "/v1/orgs", { ...as(owner), body: { id: org } })).status).toBe(201);
      expect((await server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(owner), body: { role: "member" } })).status).toBe(200);
      expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id: project, owner: `organization:${org}` } })).status).toBe(201);
      expect((await server.call("PUT", `/v1/resources/${resource}`, { ...as(owner), body: { project } })).status).toBe(201);
      const answers = await Promise.all([
        server.call("PUT", `/v1/resources/${fresh}`, { ...as(owner), body: { project } }),
        server.call("PUT", `/v1/resources/${resource}/members/user%3A${user}`, { ...as(owner), body: { role: "viewer" } }),
        new Promise((resolve) => setTimeout(resolve, i % 4)).then(() => server.call("DELETE", `/v1/projects/${project}`, as(owner))),
      ]);
      for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
      expect(answers[2]!.status).toBe(200);
      const naming = await Promise.all([
        server.call("GET", `/v1/relationships?resourceType=project&resourceId=${project}`),
        server.call("GET", `/v1/relationships?resourceType=resource&subjectType=project&subjectId=${project}`),
        server.call("GET", `/v1/relationships?resourceType=resource&resourceId=${resource}`),
        server.call("GET", `/v1/relationships?resourceType=resource&resourceId=${fresh}`),
      ]);
      expect(naming.flatMap((r) => r.body.relationships), `iteration ${i}`).toEqual([]);
    }
  });
});
