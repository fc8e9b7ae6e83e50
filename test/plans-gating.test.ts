// Pins rule 17, plans consistently: custom roles need an organization whose settings allow them
// (`customRoles`, a billing setting; 403 plan_required to create, change or grant one otherwise);
// on a personal project only a scale owner may invite or grant directly (project members and
// resource, folder and workspace shares; a starter owner gets 403 plan_required, nothing
// written); the organization name is a general setting, seat limit and customRoles billing.
import { describe, expect, it } from "vitest";
import { useTestServer, uid } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();
const { as, allowed, tuples, newOrg } = productCalls(() => server);

const patchOrg = (org: string, actor: string, body: unknown) => server.call("PATCH", `/v1/orgs/${org}`, { ...as(actor), body });
const putMember = (org: string, actor: string, user: string, body: unknown = { role: "member" }) => server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(actor), body });
const grant = (project: string, subject: string, actor: string, body: unknown) => server.call("PUT", `/v1/projects/${project}/members/${subject}`, { ...as(actor), body });
const setPlan = (user: string, plan: string) => server.call("PUT", `/v1/users/${user}/plan`, { body: { plan } });
const createRole = (org: string, actor: string, id: string) => server.call("POST", `/v1/orgs/${org}/roles`, { ...as(actor), body: { id, name: "Auditor", permissions: ["view"] } });

describe("custom roles need the customRoles setting", () => {
  it("on by default; turned off (billing), creating, changing and granting one is 403 plan_required and writes nothing; existing holders keep theirs", async () => {
    const [owner, bob, carl, dee] = [uid("own"), uid("bob"), uid("carl"), uid("dee")];
    const org = await newOrg(owner);
    for (const u of [bob, carl, dee]) await putMember(org, owner, u);
    const p = uid("p");
    await server.call("POST", "/v1/projects", { ...as(owner), body: { id: p, owner: `organization:${org}` } });
    expect((await server.call("GET", `/v1/orgs/${org}`, as(owner))).body.customRoles).toBe(true);
    const role = uid("role");
    expect((await createRole(org, owner, role)).status).toBe(201);
    expect((await grant(p, `user:${bob}`, owner, { role: `role:${role}` })).status).toBe(200);

    const off = await patchOrg(org, owner, { customRoles: false });
    expect(off.status).toBe(200);
    expect(off.body.customRoles).toBe(false);
    const another = uid("role");
    const created = await createRole(org, owner, another);
    expect([created.status, created.body.code]).toEqual([403, "plan_required"]);
    expect(await tuples({ resourceType: "role", resourceId: another })).toEqual([]);
    const granted = await grant(p, `user:${carl}`, owner, { role: `role:${role}` });
    expect([granted.status, granted.body.code]).toEqual([403, "plan_required"]);
    const changed = await server.call("PUT", `/v1/roles/${role}`, { ...as(owner), body: { permissions: ["view", "edit"] } });
    expect([changed.status, changed.body.code]).toEqual([403, "plan_required"]);
    const invited = await server.call("POST", `/v1/projects/${p}/invitations`, { ...as(owner), body: { invitees: [dee], role: `role:${role}` } });
    expect([invited.status, invited.body.code]).toEqual([403, "plan_required"]);
    const withAccess = await server.call("POST", `/v1/orgs/${org}/invitations`, { ...as(owner), body: { invitees: [uid("x")], role: "member", projects: [{ project: p, role: `role:${role}` }] } });
    expect([withAccess.status, withAccess.body.code]).toEqual([403, "plan_required"]);
    const access = await server.call("PUT", `/v1/orgs/${org}/members/${dee}/access`, { ...as(owner), body: { role: "member", projects: [{ project: p, role: `role:${role}` }] } });
    expect([access.status, access.body.code]).toEqual([403, "plan_required"]);
    const defaultRole = await server.call("PATCH", `/v1/projects/${p}`, { ...as(owner), body: { defaultRole: `role:${role}` } });
    expect([defaultRole.status, defaultRole.body.code]).toEqual([403, "plan_required"]);
    expect(await allowed(`project:${p}`, "view", `user:${carl}`)).toBe(false);
    expect(await allowed(`project:${p}`, "view", `user:${dee}`)).toBe(false);
    expect(await allowed(`project:${p}`, "edit", `user:${bob}`)).toBe(false);
    expect((await server.call("GET", `/v1/orgs/${org}/invitations?status=pending`, as(owner))).body.invitations).toEqual([]);
    // The holder keeps the role as it was; it can still be deleted.
    expect(await allowed(`project:${p}`, "view", `user:${bob}`)).toBe(true);
    expect((await server.call("DELETE", `/v1/roles/${role}`, as(owner))).status).toBe(200);
    // Turned back on, it all works again; built-in roles never needed it.
    expect((await patchOrg(org, owner, { customRoles: true })).status).toBe(200);
    expect((await createRole(org, owner, another)).status).toBe(201);
    expect((await grant(p, `user:${carl}`, owner, { role: `role:${another}` })).status).toBe(200);
    expect(await allowed(`project:${p}`, "view", `user:${carl}`)).toBe(true);
  });
});

describe("organization settings by area", () => {
  it("the name needs manage_general; the seat limit and customRoles need manage_billing (403, nothing changes)", async () => {
    const [owner, writer, payer] = [uid("own"), uid("writer"), uid("payer")];
    const org = await newOrg(owner, { name: "Before" });
    await putMember(org, owner, writer, { role: "member", scopes: { general: "full" } });
    await putMember(org, owner, payer, { role: "member", scopes: { billing: "full" } });
    const read = async () => (await server.call("GET", `/v1/orgs/${org}`, as(owner))).body;

    expect((await patchOrg(org, writer, { name: "Written" })).status).toBe(200);
    const byWriter = await patchOrg(org, writer, { seatLimit: 9 });
    expect([byWriter.status, byWriter.body.code]).toEqual([403, "forbidden"]);
    expect((await patchOrg(org, writer, { customRoles: false })).status).toBe(403);
    expect((await patchOrg(org, writer, { name: "Both", seatLimit: 9 })).status).toBe(403);
    const byPayer = await patchOrg(org, payer, { name: "Paid" });
    expect([byPayer.status, byPayer.body.code]).toEqual([403, "forbidden"]);
    expect(await read()).toMatchObject({ name: "Written", seatLimit: null, customRoles: true });
    expect((await patchOrg(org, payer, { seatLimit: 9, customRoles: false })).status).toBe(200);
    expect(await read()).toMatchObject({ name: "Written", seatLimit: 9, customRoles: false });
    expect((await patchOrg(org, owner, { customRoles: "yes" })).status).toBe(400);
  });
});

describe("personal projects: only a scale owner invites or grants directly", () => {
  it("a starter owner gets 403 plan_required for members, shares and invitations alike, and nothing is written; on scale all of them go through", async () => {
    const [pat, friend] = [uid("pat"), uid("fr")];
    const [p, r, ws] = [uid("pp"), uid("doc"), uid("ws")];
    expect((await server.call("POST", "/v1/projects", { ...as(pat), body: { id: p, owner: `user:${pat}` } })).status).toBe(201);
    expect((await server.call("PUT", `/v1/resources/${r}`, { ...as(pat), body: { project: p } })).status).toBe(201);
    expect((await server.call("POST", `/v1/projects/${p}/workspaces`, { ...as(pat), body: { id: ws } })).status).toBe(201);
    const attempts = () => [
      grant(p, `user:${friend}`, pat, { role: "viewer" }),
      server.call("PUT", `/v1/resources/${r}/members/user:${friend}`, { ...as(pat), body: { role: "viewer" } }),
      server.call("PUT", `/v1/workspaces/${ws}/members/user:${friend}`, { ...as(pat), body: { role: "viewer" } }),
      server.call("POST", `/v1/projects/${p}/invitations`, { ...as(pat), body: { invitees: [friend], role: "viewer" } }),
    ];
    for (const res of await Promise.all(attempts())) expect([res.status, res.body.code]).toEqual([403, "plan_required"]);
    for (const resourceType of ["project", "resource", "workspace"]) expect(await tuples({ resourceType, subjectType: "user", subjectId: friend })).toEqual([]);
    expect(await allowed(`resource:${r}`, "view", `user:${friend}`)).toBe(false);
    // The owner may still work in the project and remove what is there (only granting is gated).
    expect(await allowed(`project:${p}`, "delete_project", `user:${pat}`)).toBe(true);

    expect((await setPlan(pat, "scale")).status).toBe(200);
    const results = await Promise.all(attempts().slice(0, 3));
    for (const res of results) expect(res.status).toBe(200);
    expect(await allowed(`project:${p}`, "view", `user:${friend}`)).toBe(true);
    expect(await allowed(`workspace:${ws}`, "view", `user:${friend}`)).toBe(true);
    // Back on starter: no new grant, and what was granted stays (like sent invitations, rule 10).
    expect((await setPlan(pat, "starter")).status).toBe(200);
    const again = await grant(p, `user:${friend}`, pat, { role: "editor" });
    expect([again.status, again.body.code]).toEqual([403, "plan_required"]);
    expect(await allowed(`project:${p}`, "edit", `user:${friend}`)).toBe(false);
    expect(await allowed(`project:${p}`, "view", `user:${friend}`)).toBe(true);
    expect((await server.call("DELETE", `/v1/projects/${p}/members/user:${friend}`, as(pat))).status).toBe(200);
  });

  it("organization projects need no plan", async () => {
    const [owner, mia] = [uid("own"), uid("mia")];
    const org = await newOrg(owner);
    await putMember(org, owner, mia);
    const p = uid("p");
    await server.call("POST", "/v1/projects", { ...as(owner), body: { id: p, owner: `organization:${org}` } });
    expect((await grant(p, `user:${mia}`, owner, { role: "viewer" })).status).toBe(200);
  });
});
