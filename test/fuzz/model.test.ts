// Pins rules 3, 4, 5 and 6 of docs/rules.md under random sequences of product operations by
// random actors: every answer matches a reference model, a refused operation writes nothing,
// and after every step the engine's permissions and relationships agree with the model.
import fc from "fast-check";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uid, type TestServer } from "../support/test-server.js";
import { SCHEMA_TYPES, Tally, appStateRows, fuzz, fuzzTimeout } from "./fuzz-support.js";
import { ReferenceModel, type Expected, type OrgRole, type ProjectRole, type ShareRole, type SubjectKey } from "./reference-model.js";

let server: TestServer;
const tally = new Tally();
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  tally.print("model-based: answers per operation");
  await server?.close();
});

const KINDS = [
  "setOrgMember", "setOrgMember", "setOrgMember", "removeOrgMember", "removeOrgMember", "createProject", "grant", "grant", "grant", "grant",
  "removeProjectMember", "createGroup", "addGroupMember", "addGroupMember", "registerResource", "share", "share", "staleGroupProbe", "createOrg",
  "invite", "invite", "accept", "accept",
] as const;
type Kind = (typeof KINDS)[number];

/** Command: what to do, with numbers that pick actors and objects from the model at run time. */
interface Command {
  kind: Kind;
  actor: number;
  /** 0: anyone; 1: someone with rights over the target; 2: a manager of the target project. */
  mode: number;
  a: number;
  b: number;
  c: number;
}

const command: fc.Arbitrary<Command> = fc.record({ kind: fc.constantFrom(...KINDS), actor: fc.nat(), mode: fc.nat({ max: 2 }), a: fc.nat(), b: fc.nat(), c: fc.nat() });

const ORG_ROLES: OrgRole[] = ["member", "member", "admin", "owner"];
const PROJECT_ROLES: ProjectRole[] = ["admin", "manager", "editor", "viewer", "guest"];
const at = <T>(list: T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);

interface Relationship {
  relationship: string;
}

/** readWorld reads every relationship (per type, every page) and fingerprints it with the app store. */
async function readWorld(): Promise<{ relationships: string[]; fingerprint: string }> {
  const relationships: string[] = [];
  for (const type of SCHEMA_TYPES) {
    let cursor: string | undefined;
    do {
      const res = await server.call("GET", `/v1/relationships?resourceType=${type}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      relationships.push(...(res.body.relationships as Relationship[]).map((r) => JSON.stringify(r)));
      cursor = res.body.cursor;
    } while (cursor);
  }
  relationships.sort();
  const hash = createHash("sha256").update(relationships.join("\n"));
  hash.update(appStateRows(server).join("\n"));
  return { relationships: relationships.map((r) => (JSON.parse(r) as Relationship).relationship), fingerprint: hash.digest("hex") };
}

/** World: one run's server-side ids and the model they must agree with. */
class Run {
  readonly model: ReferenceModel;
  private counter = 0;
  readonly log: string[] = [];

  constructor(readonly prefix: string) {
    this.model = new ReferenceModel(Array.from({ length: 6 }, (_, i) => `${prefix}u${i}`));
  }

  fresh = (what: string) => `${this.prefix}${what}${++this.counter}`;
  as = (user: string) => ({ key: "manage" as const, actor: `user:${user}` });

  async call(method: string, path: string, actor: string, body?: unknown) {
    const res = await server.call(method, path, { ...this.as(actor), body });
    this.log.push(`${actor} ${method} ${path} ${body ? JSON.stringify(body) : ""} → ${res.status} ${res.body?.code ?? ""}`);
    return res;
  }
}

/** pickActor: a random user, or one likely to hold the right, so both refusals and changes happen. */
function pickActor(run: Run, c: Command, privileged: string[], managers: string[] = []): string {
  const pool = c.mode === 2 && managers.length ? managers : c.mode === 1 && privileged.length ? privileged : run.model.users;
  return at(pool, c.actor)!;
}

const orgAdmins = (run: Run, orgId: string) => run.model.users.filter((u) => ["owner", "admin"].includes(run.model.orgRole(orgId, u) ?? ""));
const projectManagers = (run: Run, projectId: string) => {
  const project = run.model.projects.get(projectId)!;
  return run.model.users.filter((u) => run.model.rolesOn(project, u).includes("manager") && !run.model.bypass(project, u));
};
const projectAdmins = (run: Run, projectId: string) => run.model.users.filter((u) => run.model.bypass(run.model.projects.get(projectId)!, u));

/** pickSubject: a user (members of the project favoured) or a group. */
function pickSubject(run: Run, c: Command, projectId: string): SubjectKey {
  const project = run.model.projects.get(projectId)!;
  const groups = [...run.model.groups.keys()];
  if (c.c % 3 === 0 && groups.length) return `group:${at(groups, c.b)!}`;
  const holders = [...project.roles.keys()];
  if (c.c % 3 === 1 && holders.length) return at(holders, c.b)!;
  return `user:${at(run.model.users, c.b)!}`;
}

const enc = encodeURIComponent;

/** step runs one command: the server's answer must be the model's. Returns whether it was refused. */
async function step(run: Run, c: Command): Promise<{ expected: Expected; status: number; code?: string } | undefined> {
  const m = run.model;
  const orgs = [...m.orgs.keys()];
  const projects = [...m.projects.keys()];
  const resources = [...m.resources.keys()];
  const groups = [...m.groups.keys()];
  let expected: Expected;
  let res: { status: number; body: { code?: string } };
  switch (c.kind) {
    case "createOrg": {
      const actor = at(m.users, c.actor)!;
      const id = run.fresh("org");
      res = await run.call("POST", "/v1/orgs", actor, { id });
      expected = m.createOrg(actor, id);
      break;
    }
    case "setOrgMember": {
      const org = at(orgs, c.a)!;
      const actor = pickActor(run, c, orgAdmins(run, org));
      const user = at(m.users, c.b)!;
      const role = at(ORG_ROLES, c.c)!;
      res = await run.call("PUT", `/v1/orgs/${org}/members/${user}`, actor, { role });
      expected = m.setOrgMember(actor, org, user, role);
      break;
    }
    case "removeOrgMember": {
      const org = at(orgs, c.a)!;
      // Mostly real members: the cascade of rule 6 is what this step is for.
      const members = [...m.orgs.get(org)!.roles.keys()];
      const user = c.mode === 2 ? pickActor(run, c, []) : c.c % 4 === 0 ? at(m.users, c.b)! : at(members, c.b)!;
      const actor = c.mode === 2 ? user : pickActor(run, c, orgAdmins(run, org));
      res = await run.call("DELETE", `/v1/orgs/${org}/members/${user}`, actor);
      expected = m.removeOrgMember(actor, org, user);
      break;
    }
    case "createProject": {
      const id = run.fresh("prj");
      const personal = c.c % 3 === 0;
      const org = at(orgs, c.a)!;
      const actor = pickActor(run, c, personal ? [] : orgAdmins(run, org));
      res = await run.call("POST", "/v1/projects", actor, { id, owner: personal ? `user:${actor}` : `organization:${org}` });
      expected = m.createProject(actor, id, personal ? { personal: true } : { org });
      break;
    }
    case "grant": {
      const project = at(projects, c.a);
      if (!project) return undefined;
      const actor = pickActor(run, c, projectAdmins(run, project), projectManagers(run, project));
      const subject = pickSubject(run, c, project);
      // Managers are steered at admin grants: rule 3 is what they must not get past.
      const role = c.mode === 2 && c.c % 2 === 0 ? "admin" : at(PROJECT_ROLES, c.c)!;
      res = await run.call("PUT", `/v1/projects/${project}/members/${enc(subject)}`, actor, { role });
      expected = m.grantProjectRole(actor, project, subject, role);
      break;
    }
    case "removeProjectMember": {
      const project = at(projects, c.a);
      if (!project) return undefined;
      const actor = pickActor(run, c, projectAdmins(run, project), projectManagers(run, project));
      const subject = pickSubject(run, { ...c, c: 1 }, project);
      res = await run.call("DELETE", `/v1/projects/${project}/members/${enc(subject)}`, actor);
      expected = m.removeProjectMember(actor, project, subject);
      break;
    }
    case "createGroup": {
      const org = at(orgs, c.a)!;
      const actor = pickActor(run, c, orgAdmins(run, org));
      const id = run.fresh("grp");
      res = await run.call("POST", `/v1/orgs/${org}/groups`, actor, { id });
      expected = m.createGroup(actor, org, id);
      break;
    }
    case "addGroupMember": {
      const group = at(groups, c.a);
      if (!group) return undefined;
      const actor = pickActor(run, c, orgAdmins(run, m.groups.get(group)!.org));
      const user = at(m.users, c.b)!;
      res = await run.call("PUT", `/v1/groups/${group}/members/${enc(`user:${user}`)}`, actor);
      expected = m.addGroupMember(actor, group, user);
      break;
    }
    case "registerResource": {
      const project = at(projects, c.a);
      if (!project) return undefined;
      const actor = pickActor(run, c, projectAdmins(run, project), projectManagers(run, project));
      const id = run.fresh("res");
      res = await run.call("PUT", `/v1/resources/${id}`, actor, { project });
      expected = m.registerResource(actor, project, id);
      break;
    }
    case "share": {
      const resource = at(resources, c.a);
      if (!resource) return undefined;
      const project = m.resources.get(resource)!.project;
      const actor = pickActor(run, c, projectAdmins(run, project), projectManagers(run, project));
      const subject = pickSubject(run, c, project);
      const role: ShareRole = c.c % 2 ? "viewer" : "editor";
      res = await run.call("PUT", `/v1/resources/${resource}/members/${enc(subject)}`, actor, { role });
      expected = m.shareResource(actor, resource, subject, role);
      break;
    }
    case "invite": {
      const project = at(projects.filter((id) => m.projects.get(id)!.org), c.a);
      if (!project) return undefined;
      const actor = pickActor(run, c, projectAdmins(run, project), projectManagers(run, project));
      const user = at(m.users, c.b)!;
      const role = at(["viewer", "editor", "manager", "admin"] as ProjectRole[], c.c)!;
      res = await run.call("POST", `/v1/projects/${project}/invitations`, actor, { invitees: [`user:${user}`], role });
      const { expected: answer, outcome } = m.inviteToProject(actor, project, user, role);
      expected = answer;
      if (outcome && res.status === 200) {
        const result = (res.body as { results: Array<{ status: string; error?: { code: string }; invitation?: { id: string } }> }).results[0]!;
        expect(result.status, run.log.slice(-1)[0]).toBe(outcome.status);
        if (outcome.status === "failed") expect(result.error?.code, run.log.slice(-1)[0]).toBe(outcome.code);
        else outcome.invitation.id = result.invitation!.id;
      }
      break;
    }
    case "accept": {
      const invitation = at(m.invitations, c.a);
      if (!invitation?.id) return undefined;
      // Mostly the invitee; sometimes anyone, who must be refused.
      const actor = c.mode === 0 ? at(m.users, c.actor)! : invitation.user;
      res = await run.call("POST", `/v1/invitations/${invitation.id}/accept`, actor);
      expected = m.acceptInvitation(actor, invitation);
      break;
    }
    case "staleGroupProbe":
      await staleGroupProbe(run, c);
      return undefined;
  }
  tally.add(c.kind + (c.mode === 2 ? " (manager steered)" : ""), res.status, res.body.code);
  const where = `step ${JSON.stringify(c)}\n${run.log.slice(-12).join("\n")}`;
  expect(res.status, `status differs from the model (expected ${JSON.stringify(expected)})\n${where}`).toBe(expected.status);
  if (expected.code) expect(res.body.code, where).toBe(expected.code);
  return { expected, status: res.status, code: res.body.code };
}

/**
 * staleGroupProbe (rule 5): a group tuple naming a user who is not a member of the group's
 * organization — as a race or stale data could leave — must grant them nothing. Written and
 * removed again with the admin API, around checks of every project that grants the group.
 */
async function staleGroupProbe(run: Run, c: Command): Promise<void> {
  const group = at([...run.model.groups.values()], c.a);
  const outsider = group && run.model.users.find((u, i) => i >= c.b % run.model.users.length && !run.model.isOrgMember(group.org, u));
  if (!group || !outsider) return;
  const tuple = `group:${group.id}#direct_member@user:${outsider}`;
  expect((await server.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: tuple }] } })).status).toBe(200);
  const items = [...run.model.projects.values()]
    .filter((p) => p.roles.has(`group:${group.id}`))
    .flatMap((p) => ["view", "access", "manage_members"].map((permission) => ({ resource: `project:${p.id}`, permission, subject: `user:${outsider}` })));
  if (items.length) {
    const res = await server.call("POST", "/v1/check/bulk", { key: "admin", body: { items } });
    expect(res.status).toBe(200);
    (res.body.results as Array<{ allowed: boolean }>).forEach((r, i) => {
      expect(r.allowed, `stale ${tuple} granted ${JSON.stringify(items[i])}`).toBe(false);
    });
  }
  const filter = { resourceType: "group", resourceId: group.id, relation: "direct_member", subjectType: "user", subjectId: outsider };
  expect((await server.call("DELETE", "/v1/relationships", { body: { filter } })).status).toBe(200);
}

/** expectPermissionsMatch: one bulk check of every user against every org, project and resource. */
async function expectPermissionsMatch(run: Run): Promise<void> {
  const m = run.model;
  const items: Array<{ resource: string; permission: string; subject: string; expected: boolean }> = [];
  for (const user of m.users) {
    const subject = `user:${user}`;
    for (const org of m.orgs.keys()) items.push({ resource: `organization:${org}`, permission: "view", subject, expected: m.isOrgMember(org, user) });
    for (const project of m.projects.values()) {
      for (const permission of ["view", "edit", "manage_members", "manage_admins"] as const) {
        items.push({ resource: `project:${project.id}`, permission, subject, expected: m.projectPermission(project, user, permission) });
      }
    }
    for (const resource of m.resources.values()) {
      for (const permission of ["view", "edit"] as const) items.push({ resource: `resource:${resource.id}`, permission, subject, expected: m.resourcePermission(resource, user, permission) });
    }
  }
  const res = await server.call("POST", "/v1/check/bulk", { key: "admin", body: { items: items.map(({ expected: _e, ...item }) => item) } });
  expect(res.status).toBe(200);
  const wrong = items.filter((item, i) => (res.body.results[i] as { allowed: boolean }).allowed !== item.expected);
  expect(wrong, `engine permissions differ from the model\n${run.log.slice(-12).join("\n")}`).toEqual([]);
}

/**
 * expectNoStaleRelationships: rules 4, 5 and 6 on the stored tuples — a user who is not a member
 * of an organization is named by no relationship on it, its groups, projects, bindings or
 * resources; and no group holds anything on a personal project or its resources.
 */
function expectNoStaleRelationships(run: Run, relationships: string[]): void {
  const m = run.model;
  const projectOf = new Map([...m.resources.values()].map((r) => [r.id, r.project]));
  const orgOf = (type: string, id: string): string | undefined => {
    if (type === "organization") return m.orgs.has(id) ? id : undefined;
    if (type === "group") return m.groups.get(id)?.org;
    if (type === "project") return m.projects.get(id)?.org;
    if (type === "role_binding") return m.projects.get(id.split("|")[0]!)?.org;
    if (type === "resource") return orgOf("project", projectOf.get(id) ?? "");
    return undefined;
  };
  const personal = (type: string, id: string) => (type === "project" ? !!m.projects.get(id)?.personalOwner : type === "resource" && !!m.projects.get(projectOf.get(id) ?? "")?.personalOwner);
  const stale: string[] = [];
  for (const r of relationships) {
    const match = /^([a-z_]+):([^#]+)#[a-z_]+@([a-z_]+):([^#]+)/.exec(r);
    if (!match || !match[2]!.startsWith(run.prefix)) continue;
    const [, type, id, subjectType, subjectId] = match;
    const org = orgOf(type!, id!);
    if (subjectType === "user" && org && !m.isOrgMember(org, subjectId!)) stale.push(`${r} (user:${subjectId} is not a member of ${org})`);
    if (subjectType === "group" && personal(type!, id!)) stale.push(`${r} (a group on a personal project)`);
  }
  expect(stale, run.log.slice(-12).join("\n")).toEqual([]);
}

async function wipe(): Promise<void> {
  for (const resourceType of SCHEMA_TYPES) {
    const res = await server.call("DELETE", "/v1/relationships", { body: { filter: { resourceType } } });
    expect(res.status).toBe(200);
  }
}

/**
 * prelude builds a world where every rule is in reach: an organization (owner, admin, members),
 * its project with a manager, an editor and a group, a shared resource, and a personal project
 * with a manager of its own.
 */
async function prelude(run: Run): Promise<void> {
  const m = run.model;
  const [u0, u1, u2, u3, u4, u5] = m.users as [string, string, string, string, string, string];
  const [org, project, personal, group, resource] = [run.fresh("org"), run.fresh("prj"), run.fresh("prj"), run.fresh("grp"), run.fresh("res")];
  const steps: Array<[string, string, string, unknown, () => Expected]> = [
    [u0, "POST", "/v1/orgs", { id: org }, () => m.createOrg(u0, org)],
    [u0, "PUT", `/v1/orgs/${org}/members/${u2}`, { role: "admin" }, () => m.setOrgMember(u0, org, u2, "admin")],
    [u0, "PUT", `/v1/orgs/${org}/members/${u3}`, { role: "member" }, () => m.setOrgMember(u0, org, u3, "member")],
    [u0, "PUT", `/v1/orgs/${org}/members/${u4}`, { role: "member" }, () => m.setOrgMember(u0, org, u4, "member")],
    [u0, "POST", "/v1/projects", { id: project, owner: `organization:${org}` }, () => m.createProject(u0, project, { org })],
    [u0, "PUT", `/v1/projects/${project}/members/${enc(`user:${u3}`)}`, { role: "manager" }, () => m.grantProjectRole(u0, project, `user:${u3}`, "manager")],
    [u0, "PUT", `/v1/projects/${project}/members/${enc(`user:${u4}`)}`, { role: "editor" }, () => m.grantProjectRole(u0, project, `user:${u4}`, "editor")],
    [u2, "POST", `/v1/orgs/${org}/groups`, { id: group }, () => m.createGroup(u2, org, group)],
    [u2, "PUT", `/v1/groups/${group}/members/${enc(`user:${u4}`)}`, undefined, () => m.addGroupMember(u2, group, u4)],
    [u3, "PUT", `/v1/projects/${project}/members/${enc(`group:${group}`)}`, { role: "viewer" }, () => m.grantProjectRole(u3, project, `group:${group}`, "viewer")],
    [u4, "PUT", `/v1/resources/${resource}`, { project }, () => m.registerResource(u4, project, resource)],
    [u3, "PUT", `/v1/resources/${resource}/members/${enc(`group:${group}`)}`, { role: "editor" }, () => m.shareResource(u3, resource, `group:${group}`, "editor")],
    [u1, "POST", "/v1/projects", { id: personal, owner: `user:${u1}` }, () => m.createProject(u1, personal, { personal: true })],
    [u1, "PUT", `/v1/projects/${personal}/members/${enc(`user:${u5}`)}`, { role: "manager" }, () => m.grantProjectRole(u1, personal, `user:${u5}`, "manager")],
  ];
  // Rule 17: the personal project's owner is on the scale plan, so its manager can be granted.
  expect((await server.call("PUT", `/v1/users/${u1}/plan`, { body: { plan: "scale" } })).status).toBe(200);
  m.scalePlans.add(u1);
  for (const [actor, method, path, body, expected] of steps) {
    const res = await run.call(method, path, actor, body);
    expect(res.status, run.log.slice(-1)[0]).toBe(expected().status);
  }
}

async function runSequence(commands: Command[]): Promise<void> {
  await wipe();
  const run = new Run(uid("m"));
  await prelude(run);
  let before = await readWorld();
  for (const c of commands) {
    const outcome = await step(run, c);
    const after = await readWorld();
    if (outcome && outcome.status >= 400) {
      // A refused operation (rule 3's 403, rule 4's and 5's 422, …) writes nothing.
      expect(after.fingerprint, `refused, yet the state changed\n${run.log.slice(-3).join("\n")}`).toBe(before.fingerprint);
    }
    expectNoStaleRelationships(run, after.relationships);
    await expectPermissionsMatch(run);
    before = after;
  }
}

describe("model-based fuzz: product operations by random actors", () => {
  it("answers as the reference model, writes nothing when refused, and never breaks rules 3, 4, 5 and 6", async () => {
    await fuzz("model-based sequences", fc.asyncProperty(fc.array(command, { minLength: 12, maxLength: 30 }), runSequence), 20, 40_000);
  }, fuzzTimeout(40_000));
});
