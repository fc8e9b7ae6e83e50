// Pins @accord/client's calls against a real Accord: checks, bulk checks, lookups, explain and
// the product calls answer what the HTTP API answers, every write hands back a zedToken that
// later reads carry, and failures arrive as AccordError with the problem's code, status, detail
// and field.
import { describe, expect, it } from "vitest";
import { type AccordClient, AccordError, createAccordClient } from "../../packages/client/src/index.js";
import { KEYS, uid, useTestServer } from "../support/test-server.js";

const server = useTestServer();
const manage = (actor: string) => createAccordClient({ baseUrl: server.url, apiKey: KEYS.manage, actor: `user:${actor}` });
const checker = () => createAccordClient({ baseUrl: server.url, apiKey: KEYS.check });

/** acmeWithDashboard: olivia owns an organization with project p and resource r in it; bob is a member. */
async function acmeWithDashboard(client: AccordClient) {
  const [org, project, resource, bob] = [uid("org"), uid("p"), uid("r"), uid("bob")];
  await client.orgs.create({ id: org, name: "Acme", seatLimit: 3 });
  await client.orgs.members.set(org, bob, { role: "member" });
  await client.projects.create({ id: project, owner: `organization:${org}`, name: "Apollo" });
  await client.resources.register(resource, { project });
  return { org, project, resource, bob };
}

describe("permission queries", () => {
  it("check, checkBulk, lookups and explain answer as the server does", async () => {
    const olivia = manage(uid("olivia"));
    const { project, resource, bob } = await acmeWithDashboard(olivia);
    await olivia.resources.share(resource, `user:${bob}`, { role: "editor" });
    const accord = checker();

    const allowed = await accord.check({ resource: `resource:${resource}`, permission: "edit", subject: `user:${bob}` });
    expect(allowed.allowed).toBe(true);
    expect(typeof allowed.zedToken).toBe("string");
    expect((await accord.check({ resource: `project:${project}`, permission: "delete_project", subject: `user:${bob}` })).allowed).toBe(false);

    const bulk = await accord.checkBulk([
      { resource: `resource:${resource}`, permission: "view", subject: `user:${bob}` },
      { resource: `resource:${resource}`, permission: "nonexistent_permission", subject: `user:${bob}` },
    ]);
    expect(bulk.results[0]).toEqual({ allowed: true });
    expect(bulk.results[1]).toMatchObject({ error: { code: expect.any(String) } });

    const resources = await accord.lookupResources({ resourceType: "resource", permission: "edit", subject: `user:${bob}` });
    expect(resources.resources).toContain(resource);
    const subjects = await accord.lookupSubjects({ resource: `resource:${resource}`, permission: "edit", subjectType: "user" });
    expect(subjects.subjects).toContain(bob);
    const why = await accord.explain({ resource: `resource:${resource}`, permission: "edit", subject: `user:${bob}` });
    expect(why.allowed).toBe(true);
    expect(why.path.length).toBeGreaterThan(0);
    expect(why.reasons.length).toBeGreaterThan(0);
  });

  it("a bulk request larger than the server's limit is split into calls within it", async () => {
    const accord = createAccordClient({ baseUrl: server.url, apiKey: KEYS.check, maxBulkItems: 3 });
    const items = Array.from({ length: 7 }, (_, i) => ({ resource: `resource:${uid("r")}${i}`, permission: "view", subject: "user:nobody" }));
    const answer = await accord.checkBulk({ items });
    expect(answer.results).toHaveLength(7);
    expect(answer.results.every((r) => "allowed" in r && r.allowed === false)).toBe(true);
  });
});

describe("product calls", () => {
  it("organizations, members, groups, roles, projects, invitations and resources, each write with its zedToken", async () => {
    const owner = uid("olivia");
    const olivia = manage(owner);
    const { org, project, resource, bob } = await acmeWithDashboard(olivia);
    const tokens = new Set<string>();
    const keep = (answer: { zedToken?: string }) => {
      expect(typeof answer.zedToken, JSON.stringify(answer)).toBe("string");
      tokens.add(answer.zedToken!);
      expect(olivia.zedToken).toBe(answer.zedToken);
      return answer;
    };

    expect((await olivia.orgs.get(org)).name).toBe("Acme");
    keep(await olivia.orgs.update(org, { name: "Acme Inc." }));
    const group = uid("eng");
    keep(await olivia.orgs.groups.create(org, { id: group, name: "Engineering" }));
    keep(await olivia.groups.members.add(group, `user:${bob}`));
    expect(JSON.stringify(await olivia.groups.members.list(group))).toContain(bob);
    const role = uid("auditor");
    keep(await olivia.orgs.roles.create(org, { id: role, name: "Auditor", permissions: ["view"] }));
    expect((await olivia.roles.get(role)).name).toBe("Auditor");
    keep(await olivia.projects.members.set(project, `group:${group}#member`, { role: "viewer" }));
    expect(JSON.stringify(await olivia.projects.members.list(project))).toContain(group);
    const members = await olivia.orgs.members.list(org, { limit: 10 });
    expect(JSON.stringify(members)).toContain(bob);
    keep(await olivia.resources.share(resource, `user:${bob}`, { role: "viewer" }));
    keep(await olivia.resources.unshare(resource, `user:${bob}`));

    const carol = uid("carol");
    const invited = keep(await olivia.orgs.invitations.create(org, { invitees: [carol], role: "member" }));
    const invitationId = (invited as unknown as { results: Array<{ invitation: { id: string } }> }).results[0]!.invitation.id;
    const carolClient = olivia.session({ actor: `user:${carol}` });
    expect(JSON.stringify(await carolClient.invitations.mine())).toContain(invitationId);
    keep(await carolClient.invitations.accept(invitationId));
    expect(JSON.stringify(await olivia.orgs.members.list(org))).toContain(carol);
    keep(await olivia.orgs.members.remove(org, carol));
    expect(tokens.size).toBeGreaterThan(1);
  });

  it("typed problem+json errors: code, status, detail and the failing field", async () => {
    const olivia = manage(uid("olivia"));
    const org = uid("org");
    await olivia.orgs.create({ id: org, seatLimit: 1 });
    const seat = await olivia.orgs.members.set(org, uid("bob"), { role: "member" }).catch((err: unknown) => err);
    expect(seat).toBeInstanceOf(AccordError);
    const error = seat as AccordError;
    expect(error.code).toBe("seat_limit_reached");
    expect(error.status).toBe(409);
    expect(error.detail).toMatch(/seat/i);
    expect(error.requestId).toBeTruthy();

    const invalid = (await checker()
      .check({ resource: "not a resource", permission: "view", subject: "user:bob" })
      .catch((err: unknown) => err)) as AccordError;
    expect(invalid.code).toBe("invalid_request");
    expect(invalid.status).toBe(400);
    expect(invalid.field).toBe("resource");

    const noActor = (await createAccordClient({ baseUrl: server.url, apiKey: KEYS.manage })
      .orgs.get(org)
      .catch((err: unknown) => err)) as AccordError;
    expect(noActor.status).toBe(400);
    expect(noActor.field).toBe("header.x-actor");

    const wrongScope = (await checker().orgs.get(org, { actor: "user:x" }).catch((err: unknown) => err)) as AccordError;
    expect(wrongScope.code).toBe("forbidden");
    expect(wrongScope.status).toBe(403);
    const notFound = (await olivia.orgs.get(uid("missing")).catch((err: unknown) => err)) as AccordError;
    expect([403, 404]).toContain(notFound.status);
  });
});
