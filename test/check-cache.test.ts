// Pins the exact check cache: a cached answer is served only while a fresh engine check would
// give the same one — every invalidation path, consistency rules, cache off — and a change
// drops only the answers it can alter.
import { describe, expect, it } from "vitest";
import { CheckCache } from "../src/engine/cache/check-cache.js";
import { EngineDecorator } from "../src/engine/engine-decorator.js";
import type { EmbeddedEngine } from "../src/engine/embedded/embedded-engine.js";
import { SCHEMA, startTestServer, useTestServer, uid, } from "./support/test-server.js";

// The suites below are about the embedded engine's cache; the remote cache (fed by SpiceDB's
// watch) has its own in test/remote-cache.test.ts.
import { REMOTE_MODE as REMOTE } from "./remote/test-mode.js";

// maxInFlight 1 keeps the coalescer from reordering anything these tests look at. Subject sets
// are looked up on the first miss, so every invalidation test below also proves that a change
// drops them: answers are dropped first, so a set that outlived a change would answer.
const server = useTestServer({}, { checkPath: { cache: true, coalesce: true, coalesceMaxInFlight: 1, subjectSetAfter: 1 } });

async function write(updates: Array<{ operation: string; relationship: string; expiresAt?: string; caveat?: object }>) {
  const res = await server.call("POST", "/v1/relationships", { body: { updates } });
  expect(res.status).toBe(200);
  return res.body.zedToken as string;
}
const touch = (...relationships: string[]) => write(relationships.map((relationship) => ({ operation: "touch", relationship })));

async function allowed(resource: string, permission: string, subject: string, consistency?: unknown): Promise<boolean> {
  const res = await server.call("POST", "/v1/check", { key: "check", body: { resource, permission, subject, consistency } });
  expect(res.status).toBe(200);
  return res.body.allowed as boolean;
}

/** otherDatastoreToken re-encodes a ZedToken (DecodedZedToken{v1: {revision, datastore id}}) as one of another datastore. */
function otherDatastoreToken(token: string): string {
  const bytes = Buffer.from(token, "base64");
  const inner = bytes.subarray(2);
  const revision = inner.subarray(0, 2 + inner[1]!);
  const id = Buffer.from("another-datastore", "latin1");
  const v1 = Buffer.concat([revision, Buffer.from([0x12, id.length]), id]);
  return Buffer.concat([Buffer.from([0x1a, v1.length]), v1]).toString("base64");
}

const hits = () => server.checkPath.cache!.stats().hits;

/**
 * warm checks twice and proves the second answer came from the cache; the subject's set for
 * this resource type and permission is built in between.
 */
async function warm(resource: string, permission: string, subject: string, expected: boolean) {
  expect(await allowed(resource, permission, subject)).toBe(expected);
  await server.checkPath.cache!.idle();
  expect(server.checkPath.cache!.stats().sets).toBeGreaterThan(0);
  const before = hits();
  expect(await allowed(resource, permission, subject)).toBe(expected);
  expect(hits()).toBe(before + 1);
}

describe.skipIf(REMOTE)("check cache invalidation", () => {
  it("a raw write (grant and revoke) is seen by the next check", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await warm(`project:${p}`, "view", `user:${u}`, false);
    await touch(`project:${p}#viewer@user:${u}`);
    expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(true);
    await warm(`project:${p}`, "view", `user:${u}`, true);
    await write([{ operation: "delete", relationship: `project:${p}#viewer@user:${u}` }]);
    expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(false);
  });

  it("a write of an unrelated relationship that changes the answer indirectly is seen", async () => {
    // The cached answer is about the resource; the write is about the project above it.
    const [p, d, u] = [uid("p"), uid("d"), uid("u")];
    await touch(`resource:${d}#project@project:${p}`);
    await warm(`resource:${d}`, "view", `user:${u}`, false);
    await touch(`project:${p}#editor@user:${u}`);
    expect(await allowed(`resource:${d}`, "view", `user:${u}`)).toBe(true);
  });

  it("DELETE /v1/relationships by filter is seen", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await touch(`project:${p}#viewer@user:${u}`, `project:${p}#editor@user:${u}`);
    await warm(`project:${p}`, "view", `user:${u}`, true);
    const res = await server.call("DELETE", "/v1/relationships", { body: { filter: { resourceType: "project", resourceId: p } } });
    expect(res.status).toBe(200);
    expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(false);
  });

  it("a product cascade (removing an organization member, rule 6) is seen", async () => {
    const [org, project, owner, bob] = [uid("org"), uid("prj"), uid("owner"), uid("bob")];
    const manage = (method: string, path: string, body?: unknown) => server.call(method, path, { key: "manage", actor: `user:${owner}`, body });
    expect((await manage("POST", "/v1/orgs", { id: org })).status).toBe(201);
    expect((await manage("PUT", `/v1/orgs/${org}/members/${bob}`, { role: "member" })).status).toBe(200);
    expect((await manage("POST", "/v1/projects", { id: project, owner: `organization:${org}` })).status).toBe(201);
    expect((await manage("PUT", `/v1/projects/${project}/members/user:${bob}`, { role: "editor" })).status).toBe(200);
    await warm(`project:${project}`, "edit", `user:${bob}`, true);
    await warm(`organization:${org}`, "view", `user:${bob}`, true);
    expect((await manage("DELETE", `/v1/orgs/${org}/members/${bob}`)).status).toBe(200);
    expect(await allowed(`project:${project}`, "edit", `user:${bob}`)).toBe(false);
    expect(await allowed(`organization:${org}`, "view", `user:${bob}`)).toBe(false);
  });

  it("a relationship that expires by itself is no longer allowed from the cache", async () => {
    const [p, u] = [uid("p"), uid("u")];
    const expiresAt = new Date(Date.now() + 1200).toISOString();
    await write([{ operation: "touch", relationship: `project:${p}#viewer@user:${u}`, expiresAt }]);
    await warm(`project:${p}`, "view", `user:${u}`, true);
    // Wait until the grant has ended (no write happens meanwhile), then ask again.
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50));
    expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(false);
    const relationships = await server.call("GET", `/v1/relationships?resourceType=project&resourceId=${p}`);
    expect(relationships.body.relationships).toEqual([]);
  });

  it("a schema change is seen", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await touch(`project:${p}#viewer@user:${u}`);
    await warm(`project:${p}`, "view", `user:${u}`, true);
    // Same model, but viewers no longer get `view`.
    const narrowed = SCHEMA.replace("permission view = admin_bypass + ((manager + editor + viewer + binding->view) - removed)", "permission view = admin_bypass + ((manager + editor + binding->view) - removed)");
    expect(narrowed).not.toBe(SCHEMA);
    try {
      expect((await server.call("PUT", "/v1/schema", { body: { schema: narrowed } })).status).toBe(200);
      expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(false);
    } finally {
      expect((await server.call("PUT", "/v1/schema", { body: { schema: SCHEMA } })).status).toBe(200);
    }
    expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(true);
  });

  it("a write made on the engine directly (not through this app) is seen too", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await warm(`project:${p}`, "view", `user:${u}`, false);
    await server.engine.write([{ operation: "touch", relationship: { resource: { type: "project", id: p }, relation: "viewer", subject: { type: "user", id: u } } }]);
    expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(true);
  });

  it("checks racing a write never leave the old answer behind", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await warm(`project:${p}`, "view", `user:${u}`, false);
    const racing = Array.from({ length: 20 }, () => allowed(`project:${p}`, "view", `user:${u}`));
    await touch(`project:${p}#viewer@user:${u}`);
    await Promise.all(racing);
    for (let i = 0; i < 3; i++) expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(true);
  });
});

describe.skipIf(REMOTE)("a change drops only the answers it can alter", () => {
  /** held: the answers the cache holds, as `resource#permission@subject` strings. */
  const held = () => new Set(server.checkPath.cache!.cachedAnswers().map(({ item: i }) => `${i.resource.type}:${i.resource.id}#${i.permission}@${i.subject.type}:${i.subject.id}`));

  /** setup: a project with a viewer, a resource in it, a group; answers of four users warmed. */
  async function setup() {
    const [p, r, g, a, b, c, d] = [uid("p"), uid("r"), uid("g"), uid("a"), uid("b"), uid("c"), uid("d")];
    const org = uid("org");
    await touch(`project:${p}#viewer@user:${b}`, `resource:${r}#project@project:${p}`, `group:${g}#organization@organization:${org}`, `organization:${org}#member@user:${d}`);
    const answers = [
      [`resource:${r}`, "view", `user:${a}`, false],
      [`resource:${r}`, "view", `user:${b}`, true],
      [`resource:${r}`, "view", `user:${c}`, false],
      [`resource:${r}`, "view", `user:${d}`, false],
      [`resource:${r}`, "edit", `user:${b}`, false],
      [`project:${p}`, "view", `user:${b}`, true],
    ] as const;
    for (const [resource, permission, subject, expected] of answers) await warm(resource, permission, subject, expected);
    for (const [resource, permission, subject] of answers) expect(held()).toContain(`${resource}#${permission}@${subject}`);
    return { p, r, g, a, b, c, d };
  }

  it("a share to one user drops that user's answers and keeps everyone else's (served without asking the engine)", async () => {
    const { p, r, a, b, c } = await setup();
    const before = server.checkPath.cache!.stats();
    await touch(`resource:${r}#viewer@user:${a}`);
    const after = server.checkPath.cache!.stats();
    expect(after.changes).toBe(before.changes + 1);
    const now = held();
    expect(now).not.toContain(`resource:${r}#view@user:${a}`);
    for (const kept of [`resource:${r}#view@user:${b}`, `resource:${r}#view@user:${c}`, `resource:${r}#edit@user:${b}`, `project:${p}#view@user:${b}`]) expect(now).toContain(kept);
    // The kept answers are still right and come from memory; the dropped one is asked afresh.
    const hitsBefore = hits();
    expect(await allowed(`resource:${r}`, "view", `user:${b}`)).toBe(true);
    expect(await allowed(`resource:${r}`, "view", `user:${c}`)).toBe(false);
    expect(hits()).toBe(hitsBefore + 2);
    expect(await allowed(`resource:${r}`, "view", `user:${a}`)).toBe(true);
  });

  it("a share of one resource keeps that user's answers and subject set for every other resource; the shared one is asked afresh", async () => {
    const { p, r } = await setup();
    const [r2, r3, e] = [uid("r"), uid("r"), uid("e")];
    await touch(`resource:${r2}#project@project:${p}`, `resource:${r3}#project@project:${p}`, `resource:${r3}#viewer@user:${e}`);
    await warm(`resource:${r}`, "view", `user:${e}`, false);
    await warm(`resource:${r2}`, "view", `user:${e}`, false);
    const sets = server.checkPath.cache!.stats().sets;
    // resource#viewer is read within its resource only (no arrow or userset reads resource#view).
    await touch(`resource:${r}#viewer@user:${e}`);
    const now = held();
    expect(now).not.toContain(`resource:${r}#view@user:${e}`);
    expect(server.checkPath.cache!.stats().sets).toBe(sets);
    // r2 and r3 (never asked of the engine by a check) from the kept set: neither asks the engine.
    const before = server.checkPath.cache!.stats();
    expect(await allowed(`resource:${r2}`, "view", `user:${e}`)).toBe(false);
    expect(await allowed(`resource:${r3}`, "view", `user:${e}`)).toBe(true);
    const after = server.checkPath.cache!.stats();
    expect(after.hits).toBe(before.hits + 2);
    expect(after.setHits).toBe(before.setHits + 2);
    // The shared resource is not answered from the set (which held `denied`): the engine says allowed.
    expect(await allowed(`resource:${r}`, "view", `user:${e}`)).toBe(true);
    expect(server.checkPath.cache!.stats().misses).toBe(after.misses + 1);
    // And its removal likewise.
    await write([{ operation: "delete", relationship: `resource:${r}#viewer@user:${e}` }]);
    expect(await allowed(`resource:${r}`, "view", `user:${e}`)).toBe(false);
    expect(await allowed(`resource:${r3}`, "view", `user:${e}`)).toBe(true);
  });

  it("a relation no permission of the answer reads keeps it: an editor grant drops edit answers, a viewer grant keeps them", async () => {
    const { r, b } = await setup();
    await touch(`resource:${r}#viewer@user:${b}`);
    expect(held()).toContain(`resource:${r}#edit@user:${b}`);
    await touch(`resource:${r}#editor@user:${b}`);
    expect(held()).not.toContain(`resource:${r}#edit@user:${b}`);
    expect(await allowed(`resource:${r}`, "edit", `user:${b}`)).toBe(true);
  });

  it("a userset grant (group#member) drops the answers of every subject for what it can reach", async () => {
    const { p, r, g, a, b, c, d } = await setup();
    await touch(`resource:${r}#viewer@group:${g}#member`);
    const now = held();
    for (const user of [a, b, c, d]) expect(now).not.toContain(`resource:${r}#view@user:${user}`);
    // project#view cannot reach resource#viewer: kept.
    expect(now).toContain(`project:${p}#view@user:${b}`);
    // A member added to the group later changes only that member's answers.
    await warm(`resource:${r}`, "view", `user:${c}`, false);
    await warm(`resource:${r}`, "view", `user:${d}`, false);
    await touch(`group:${g}#direct_member@user:${d}`);
    expect(held()).toContain(`resource:${r}#view@user:${c}`);
    expect(held()).not.toContain(`resource:${r}#view@user:${d}`);
    expect(await allowed(`resource:${r}`, "view", `user:${d}`)).toBe(true);
    expect(await allowed(`resource:${r}`, "view", `user:${c}`)).toBe(false);
  });

  it("an arrow's relation (resource#project) drops every subject's answers it can reach", async () => {
    const { r, b, c } = await setup();
    const other = uid("p");
    await touch(`project:${other}#editor@user:${c}`);
    await touch(`resource:${r}#project@project:${other}`);
    const now = held();
    expect(now).not.toContain(`resource:${r}#view@user:${b}`);
    expect(now).not.toContain(`resource:${r}#view@user:${c}`);
    expect(await allowed(`resource:${r}`, "view", `user:${c}`)).toBe(true);
    expect(await allowed(`resource:${r}`, "edit", `user:${c}`)).toBe(true);
  });
});

describe.skipIf(REMOTE)("check cache and consistency", () => {
  it("full consistency bypasses the cache", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await touch(`project:${p}#viewer@user:${u}`);
    await warm(`project:${p}`, "view", `user:${u}`, true);
    const before = server.checkPath.cache!.stats();
    expect(await allowed(`project:${p}`, "view", `user:${u}`, "full")).toBe(true);
    const after = server.checkPath.cache!.stats();
    expect(after.hits).toBe(before.hits);
    expect(after.bypassed).toBe(before.bypassed + 1);
  });

  it("a hit is answered at once, with no engine call; what it may not answer it leaves to the engine", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await touch(`project:${p}#viewer@user:${u}`);
    await warm(`project:${p}`, "view", `user:${u}`, true);
    const engineChecks = async () => {
      const res = await server.call("GET", "/metrics", { key: "check" });
      return Number(/accord_engine_call_duration_seconds_count\{method="check"\} (\d+)/.exec(res.body as string)?.[1] ?? 0);
    };
    const calls = await engineChecks();
    expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(true);
    expect(await engineChecks()).toBe(calls);
    // The engine's check is asked for what the cache may not answer: full consistency, a miss.
    expect(await allowed(`project:${p}`, "view", `user:${u}`, "full")).toBe(true);
    expect(await engineChecks()).toBe(calls + 1);

    const cache = server.checkPath.cache!;
    const item = { resource: { type: "project", id: p }, permission: "view", subject: { type: "user", id: u } };
    expect(cache.checkFromCache(item)?.permissionship).toBe("allowed");
    expect(cache.checkFromCache(item, { kind: "full" })).toBeUndefined();
    // A miss given back to the caller changes nothing: it is counted when check is called.
    const before = cache.stats();
    expect(cache.checkFromCache({ ...item, subject: { type: "user", id: uid("nobody") } })).toBeUndefined();
    expect(cache.stats()).toEqual(before);
  });

  it("atLeastAsFresh is served from the cache for a token of this engine, never for another datastore's", async () => {
    const [p, u] = [uid("p"), uid("u")];
    const written = await touch(`project:${p}#viewer@user:${u}`);
    await warm(`project:${p}`, "view", `user:${u}`, true);
    // Every change since the answer was stored dropped what it could alter: it is current.
    let before = hits();
    expect(await allowed(`project:${p}`, "view", `user:${u}`, { atLeastAsFresh: written })).toBe(true);
    expect(hits()).toBe(before + 1);
    const later = await touch(`project:${uid("p")}#viewer@user:${uid("u")}`);
    before = hits();
    expect(await allowed(`project:${p}`, "view", `user:${u}`, { atLeastAsFresh: later })).toBe(true);
    expect(hits()).toBe(before + 1);
    // A token of another datastore (an engine before a restart, another installation) goes to the engine.
    before = server.checkPath.cache!.stats().bypassed;
    const foreign = await server.call("POST", "/v1/check", { key: "check", body: { resource: `project:${p}`, permission: "view", subject: `user:${u}`, consistency: { atLeastAsFresh: otherDatastoreToken(written) } } });
    expect(foreign.status).not.toBe(500);
    expect(server.checkPath.cache!.stats().bypassed + server.checkPath.cache!.stats().misses).toBeGreaterThan(before);
    // An unreadable token is the engine's to reject, never answered from the cache.
    const bad = await server.call("POST", "/v1/check", { key: "check", body: { resource: `project:${p}`, permission: "view", subject: `user:${u}`, consistency: { atLeastAsFresh: "not-a-token" } } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("invalid_request");
  });

  it("minimize_latency after a write gets the current answer, never a stale snapshot", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await warm(`project:${p}`, "view", `user:${u}`, false);
    await touch(`project:${p}#viewer@user:${u}`);
    expect(await allowed(`project:${p}`, "view", `user:${u}`, "minimize_latency")).toBe(true);
    expect(await allowed(`project:${p}`, "view", `user:${u}`)).toBe(true);
  });

  it("conditional (caveated) answers are not cached; answers with context are keyed by it", async () => {
    const [d, u] = [uid("d"), uid("u")];
    await write([{ operation: "touch", relationship: `resource:${d}#viewer@user:${u}`, caveat: { name: "ip_allowlist", context: { allowed_cidr: "10.0.0.0/8" } } }]);
    const ask = (context?: object) => server.call("POST", "/v1/check", { key: "check", body: { resource: `resource:${d}`, permission: "view", subject: `user:${u}`, context } });
    for (let i = 0; i < 2; i++) {
      const before = hits();
      expect((await ask()).body).toMatchObject({ allowed: false, conditional: true, missingContext: ["user_ip"] });
      expect(hits()).toBe(before);
    }
    expect((await ask({ user_ip: "10.1.2.3" })).body.allowed).toBe(true);
    expect((await ask({ user_ip: "10.1.2.3" })).body.allowed).toBe(true);
    expect((await ask({ user_ip: "192.168.0.1" })).body.allowed).toBe(false);
  });

  it("bulk checks use the cache and are invalidated the same way", async () => {
    const [p, u, v] = [uid("p"), uid("u"), uid("v")];
    await touch(`project:${p}#viewer@user:${u}`);
    const bulk = async () => {
      const res = await server.call("POST", "/v1/check/bulk", {
        key: "check",
        body: { items: [`user:${u}`, `user:${v}`].map((subject) => ({ resource: `project:${p}`, permission: "view", subject })) },
      });
      expect(res.status).toBe(200);
      return res.body.results.map((r: { allowed: boolean }) => r.allowed);
    };
    expect(await bulk()).toEqual([true, false]);
    const before = hits();
    expect(await bulk()).toEqual([true, false]);
    expect(hits()).toBe(before + 2);
    await touch(`project:${p}#viewer@user:${v}`);
    await write([{ operation: "delete", relationship: `project:${p}#viewer@user:${u}` }]);
    expect(await bulk()).toEqual([false, true]);
  });
});

describe("cache off", () => {
  it("gives the same answers as cache on, before and after writes", async () => {
    const off = await startTestServer({}, { checkPath: { cache: false, coalesce: false } });
    try {
      const [p, d, u, v] = [uid("p"), uid("d"), uid("u"), uid("v")];
      const both = async (...relationships: string[]) => {
        for (const s of [server, off]) {
          const res = await s.call("POST", "/v1/relationships", { body: { updates: relationships.map((relationship) => ({ operation: "touch", relationship })) } });
          expect(res.status).toBe(200);
        }
      };
      const matrix = async () => {
        const answers: Record<string, boolean[]> = {};
        for (const s of [server, off]) {
          for (const [resource, permission, subject] of [
            [`project:${p}`, "view", `user:${u}`],
            [`project:${p}`, "edit", `user:${u}`],
            [`resource:${d}`, "view", `user:${v}`],
            [`resource:${d}`, "edit", `user:${u}`],
          ] as const) {
            const res = await s.call("POST", "/v1/check", { key: "check", body: { resource, permission, subject } });
            const key = `${resource} ${permission} ${subject}`;
            answers[key] ??= [];
            answers[key].push(res.body.allowed);
          }
        }
        for (const [question, [on, without]] of Object.entries(answers)) expect(on, question).toBe(without);
        return answers;
      };
      await both(`resource:${d}#project@project:${p}`);
      await matrix();
      await both(`project:${p}#editor@user:${u}`);
      await matrix();
      await both(`resource:${d}#viewer@user:${v}`);
      const last = await matrix();
      expect(Object.values(last).map(([on]) => on)).toEqual([true, true, true, true]);
      expect(off.checkPath.cache).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});

describe.skipIf(REMOTE)("subject sets", () => {
  /** A small model with every path to `view`: roles, groups (nested), custom roles, org bypass, caveats. */
  function model(n: string) {
    const [org, g1, g2, role, p1, p2, p3, p4, d1, d2] = ["org", "g1", "g2", "role", "p1", "p2", "p3", "p4", "d1", "d2"].map((x) => `${x}-${n}`);
    const users = ["admin", "member", "nested", "binder", "outsider", "caveated"].map((x) => `${x}-${n}`);
    const [admin, member, nested, binder, , caveated] = users;
    const relationships = [
      `organization:${org}#admin@user:${admin}`,
      ...[member, nested, binder].map((u) => `organization:${org}#member@user:${u}`),
      `group:${g1}#organization@organization:${org}`,
      `group:${g2}#organization@organization:${org}`,
      `group:${g1}#direct_member@group:${g2}#member`,
      `group:${g2}#direct_member@user:${nested}`,
      ...[p1, p2, p3].map((p) => `project:${p}#organization@organization:${org}`),
      `project:${p1}#viewer@user:${member}`,
      `project:${p2}#editor@group:${g1}#member`,
      `role:${role}#organization@organization:${org}`,
      `role:${role}#perm_view@user:*`,
      `role_binding:${p3}|${role}#role@role:${role}`,
      `role_binding:${p3}|${role}#holder@user:${binder}`,
      `project:${p3}#binding@role_binding:${p3}|${role}`,
      `project:${p4}#owner_user@user:${member}`,
      `resource:${d1}#project@project:${p1}`,
      `resource:${d2}#project@project:${p4}`,
    ];
    const questions: Array<[string, string, string]> = [];
    for (const u of users) {
      for (const p of [p1, p2, p3, p4]) for (const permission of ["view", "edit", "manage_members", "delete_project"]) questions.push([`project:${p}`, permission, `user:${u}`]);
      for (const d of [d1, d2]) questions.push([`resource:${d}`, "view", `user:${u}`]);
    }
    return { relationships, questions, caveated: caveated!, d2: d2! };
  }

  it("answers exactly as the engine does, from sets built after the first miss, across every path to a permission", async () => {
    const off = await startTestServer({}, { checkPath: { cache: false, coalesce: false } });
    try {
      const m = model(uid("m"));
      const writeBoth = async (updates: Array<{ operation: string; relationship: string; caveat?: object }>) => {
        for (const s of [server, off]) expect((await s.call("POST", "/v1/relationships", { body: { updates } })).status).toBe(200);
      };
      const compare = async () => {
        // Twice: the first pass misses and builds the sets, the second is answered from them.
        for (let pass = 0; pass < 2; pass++) {
          for (const [resource, permission, subject] of m.questions) {
            const [on, without] = await Promise.all(
              [server, off].map((s) => s.call("POST", "/v1/check", { key: "check", body: { resource, permission, subject } })),
            );
            expect(on!.body.allowed, `${resource} ${permission} ${subject}`).toBe(without!.body.allowed);
            expect(on!.body.conditional ?? false).toBe(without!.body.conditional ?? false);
          }
          await server.checkPath.cache!.idle();
        }
      };
      await writeBoth(m.relationships.map((relationship) => ({ operation: "touch", relationship })));
      await writeBoth([{ operation: "touch", relationship: `resource:${m.d2}#viewer@user:${m.caveated}`, caveat: { name: "ip_allowlist", context: { allowed_cidr: "10.0.0.0/8" } } }]);
      const before = server.checkPath.cache!.stats();
      await compare();
      const after = server.checkPath.cache!.stats();
      // The second pass asked about resources never checked before for that subject: sets answered.
      expect(after.setLookups).toBeGreaterThan(before.setLookups);
      expect(after.setHits - before.setHits).toBeGreaterThan(m.questions.length / 2);
      // A change drops the sets; answers after it are the engine's again.
      await writeBoth(m.relationships.slice(0, 4).map((relationship) => ({ operation: "delete", relationship })));
      await compare();
    } finally {
      await off.close();
    }
  });

  it("a lookup the engine refuses is not asked again until the next change", async () => {
    const cache = server.checkPath.cache!;
    const [p, u] = [uid("p"), uid("u")];
    await touch(`project:${p}#viewer@user:${u}`);
    const before = cache.stats().setLookups;
    for (let i = 0; i < 3; i++) {
      const res = await server.call("POST", "/v1/check", { key: "check", body: { resource: `project:${p}`, permission: "no_such_permission", subject: `user:${u}` } });
      expect(res.status).toBe(400);
      await cache.idle();
    }
    expect(cache.stats().setLookups).toBe(before + 1);
  });

  it("a bulk call with 16 or more misses of one subject waits for its set and answers them all from it, exactly", async () => {
    const cache = server.checkPath.cache!;
    const u = uid("u");
    const projects = Array.from({ length: 20 }, () => uid("bp"));
    await touch(...projects.slice(0, 10).map((p) => `project:${p}#viewer@user:${u}`));
    const bulk = async () => {
      const res = await server.call("POST", "/v1/check/bulk", { key: "check", body: { items: projects.map((p) => ({ resource: `project:${p}`, permission: "view", subject: `user:${u}` })) } });
      expect(res.status).toBe(200);
      return res.body.results.map((r: { allowed: boolean }) => r.allowed);
    };
    // Count what reaches the engine as checks (single or bulk).
    const engine = server.engine as unknown as { check: (...a: unknown[]) => Promise<unknown>; checkBulk: (items: unknown[], ...a: unknown[]) => Promise<unknown> };
    const [check, checkBulk] = [engine.check, engine.checkBulk];
    let engineChecks = 0;
    engine.check = function (...a) {
      engineChecks += 1;
      return check.apply(this, a);
    };
    engine.checkBulk = function (items, ...a) {
      engineChecks += items.length;
      return checkBulk.call(this, items, ...a);
    };
    const before = cache.stats();
    try {
      expect(await bulk()).toEqual(projects.map((_, i) => i < 10));
    } finally {
      [engine.check, engine.checkBulk] = [check, checkBulk];
    }
    const after = cache.stats();
    // One lookup answered every item (they count as misses: the engine was asked); none went to
    // the engine as a check.
    expect(after.setLookups - before.setLookups).toBe(1);
    expect(after.misses - before.misses).toBe(20);
    expect(engineChecks).toBe(0);
    // The next call is answered from the set it left.
    expect(await bulk()).toEqual(projects.map((_, i) => i < 10));
    expect(cache.stats().setHits - after.setHits).toBe(20);
    // A change drops the set: the next call sees it.
    await touch(`project:${projects[15]}#viewer@user:${u}`);
    expect(await bulk()).toEqual(projects.map((_, i) => i < 10 || i === 15));
  });

  it("a bulk call waits for its set even when the lookup queue is full", async () => {
    // The background lookups of other subjects hang until released, so their sets fill the queue.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let engineChecks = 0;
    class GatedEngine extends EngineDecorator {
      override async lookupResources(...args: Parameters<EngineDecorator["lookupResources"]>) {
        if (args[0].subject.id.startsWith("filler")) await gate;
        return super.lookupResources(...args);
      }
      override check(...args: Parameters<EngineDecorator["check"]>) {
        engineChecks += 1;
        return super.check(...args);
      }
      override checkBulk(...args: Parameters<EngineDecorator["checkBulk"]>) {
        engineChecks += args[0].length;
        return super.checkBulk(...args);
      }
    }
    const engine = server.engine as EmbeddedEngine;
    const cache = new CheckCache(new GatedEngine(engine), { maxEntries: 10_000, source: { kind: "local", engine }, subjectSets: { after: 1, maxSetSize: 1000, maxIds: 100_000 } });
    const p = uid("p");
    const view = (subject: string, project = p) => ({ resource: { type: "project", id: project }, permission: "view", subject: { type: "user", id: subject } });
    const u = uid("u");
    const projects = Array.from({ length: 20 }, () => uid("bq"));
    await touch(...projects.slice(0, 5).map((project) => `project:${project}#viewer@user:${u}`));
    // 2 lookups hang in the workers and 256 wait in the queue: more subjects find it full.
    await Promise.all(Array.from({ length: 300 }, (_, i) => cache.check(view(`filler${uid()}-${i}`))));
    engineChecks = 0;
    const before = cache.stats().setLookups;
    const answered = await cache.checkBulk(projects.map((project) => view(u, project)));
    expect(answered.results.map((r) => r.ok && r.result.permissionship)).toEqual(projects.map((_, i) => (i < 5 ? "allowed" : "denied")));
    expect(cache.stats().setLookups - before).toBe(1);
    expect(engineChecks).toBe(0);
    release();
    await cache.idle();
    await cache.stop();
  });

  it("a set larger than the limit is not kept, and single checks still answer", async () => {
    const small = await startTestServer({}, { checkPath: { cache: true, subjectSetAfter: 1, subjectSetMaxSize: 2 } });
    try {
      const u = uid("u");
      const projects = [uid("p"), uid("p"), uid("p")];
      const res = await small.call("POST", "/v1/relationships", { body: { updates: projects.map((p) => ({ operation: "touch", relationship: `project:${p}#viewer@user:${u}` })) } });
      expect(res.status).toBe(200);
      for (const p of [...projects, uid("other")]) {
        const answer = await small.call("POST", "/v1/check", { key: "check", body: { resource: `project:${p}`, permission: "view", subject: `user:${u}` } });
        expect(answer.body.allowed).toBe(projects.includes(p));
        await small.checkPath.cache!.idle();
      }
      const stats = small.checkPath.cache!.stats();
      expect(stats.setLookups).toBe(1);
      expect(stats.sets).toBe(0);
      expect(stats.setHits).toBe(0);
    } finally {
      await small.close();
    }
  });
});
