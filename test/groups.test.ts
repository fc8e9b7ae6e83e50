// Pins the group contract (rule 5): groups of one organization hold its members and its other
// groups (no cycles), their members get the group's project role only while org members, and
// deleting a group removes every relationship naming it.
import { describe, expect, it } from "vitest";
import { useTestServer, uid, } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();

const { as, allowed, tuples, raw, newOrg } = productCalls(() => server);
const addMember = async (org: string, owner: string, user: string, scopes?: Record<string, string>) =>
  expect((await server.call("PUT", `/v1/orgs/${org}/members/${user}`, { ...as(owner), body: { role: "member", scopes } })).status).toBe(200);
const newGroup = async (org: string, actor: string, name?: string) => {
  const id = uid("g");
  expect((await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(actor), body: { id, name } })).status).toBe(201);
  return id;
};
const putIn = (group: string, subject: string, actor: string) => server.call("PUT", `/v1/groups/${group}/members/${subject}`, as(actor));

describe("POST/GET /v1/orgs/:org/groups", () => {
  it("creates a group (201) for manage_groups, 409 on a taken id, 403 without the right", async () => {
    const [owner, vic] = [uid("owner"), uid("vic")];
    const org = await newOrg(owner);
    await addMember(org, owner, vic, { members: "view" });
    const id = uid("g");
    const created = await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(owner), body: { id, name: "Engineering" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, organization: org, name: "Engineering" });
    expect(created.body.zedToken).toBeTruthy();
    expect(await tuples({ resourceType: "group", resourceId: id })).toEqual([`group:${id}#organization@organization:${org}`]);

    const taken = await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(owner), body: { id } });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe("already_exists");
    const otherOrg = await newOrg(owner);
    expect((await server.call("POST", `/v1/orgs/${otherOrg}/groups`, { ...as(owner), body: { id } })).status).toBe(409);

    const denied = await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(vic), body: { id: uid("g") } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("forbidden");
    const bad = await server.call("POST", `/v1/orgs/${org}/groups`, { ...as(owner), body: { id: "a b" } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("id");
    expect((await server.call("POST", `/v1/orgs/${uid("nope")}/groups`, { ...as(owner), body: { id: uid("g") } })).status).toBe(404);
  });

  it("lists the org's groups with names to any member, paginated; 403 to strangers", async () => {
    const [owner, nora] = [uid("owner"), uid("nora")];
    const org = await newOrg(owner);
    await addMember(org, owner, nora, { general: "none" });
    const ids = [await newGroup(org, owner, "A"), await newGroup(org, owner, "B"), await newGroup(org, owner)];
    const first = await server.call("GET", `/v1/orgs/${org}/groups?limit=2`, as(nora));
    expect(first.status).toBe(200);
    expect(first.body.groups).toHaveLength(2);
    expect(first.body.cursor).toBeTruthy();
    const second = await server.call("GET", `/v1/orgs/${org}/groups?limit=2&cursor=${first.body.cursor}`, as(nora));
    expect(second.body.cursor).toBeUndefined();
    const all = [...first.body.groups, ...second.body.groups];
    expect(all.map((g) => g.id)).toEqual([...ids].sort());
    expect(all.find((g) => g.id === ids[0])).toEqual({ id: ids[0], organization: org, name: "A" });
    expect(all.find((g) => g.id === ids[2]).name).toBeNull();
    expect((await server.call("GET", `/v1/orgs/${org}/groups`, as(uid("stranger")))).status).toBe(403);
    expect((await server.call("GET", `/v1/orgs/${org}/groups?limit=0`, as(owner))).status).toBe(400);
  });
});

describe("group members", () => {
  it("holds org members only: a non-member user is 422 not_org_member and nothing is written", async () => {
    const [owner, gina, outsider] = [uid("owner"), uid("gina"), uid("out")];
    const org = await newOrg(owner);
    await addMember(org, owner, gina);
    const group = await newGroup(org, owner);
    const res = await putIn(group, `user:${outsider}`, owner);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("not_org_member");
    expect(await tuples({ resourceType: "group", resourceId: group, relation: "direct_member" })).toEqual([]);
    const ok = await putIn(group, `user:${gina}`, owner);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ group, subject: `user:${gina}` });
    expect(ok.body.zedToken).toBeTruthy();
    expect(await allowed(`group:${group}`, "member", `user:${gina}`)).toBe(true);
    // Adding again is idempotent.
    expect((await putIn(group, `user:${gina}`, owner)).status).toBe(200);
  });

  it("project-people-and-groups seed: group members gain the group's project role, nested groups too", async () => {
    const [owner, gina, fiona] = [uid("owner"), uid("gina"), uid("fiona")];
    const org = await newOrg(owner);
    await addMember(org, owner, gina);
    await addMember(org, owner, fiona);
    const [eng, frontend] = [await newGroup(org, owner), await newGroup(org, owner)];
    const project = uid("p");
    // The project grant is written raw: project endpoints are built separately.
    await raw(`project:${project}#organization@organization:${org}`, `project:${project}#editor@group:${eng}#member`);
    expect(await allowed(`project:${project}`, "edit", `user:${gina}`)).toBe(false);
    expect((await putIn(eng, `user:${gina}`, owner)).status).toBe(200);
    expect((await putIn(frontend, `user:${fiona}`, owner)).status).toBe(200);
    expect((await putIn(eng, `group:${frontend}`, owner)).status).toBe(200);
    expect(await allowed(`project:${project}`, "edit", `user:${gina}`)).toBe(true);
    expect(await allowed(`project:${project}`, "edit", `user:${fiona}`)).toBe(true);
    expect(await allowed(`project:${project}`, "delete", `user:${gina}`)).toBe(false);

    const listed = await server.call("GET", `/v1/groups/${eng}/members`, as(gina));
    expect(listed.status).toBe(200);
    expect(listed.body.members.map((m: { subject: string }) => m.subject).sort()).toEqual([`group:${frontend}`, `user:${gina}`].sort());

    const out = await server.call("DELETE", `/v1/groups/${eng}/members/group:${frontend}`, as(owner));
    expect(out.status).toBe(200);
    expect(await allowed(`project:${project}`, "edit", `user:${fiona}`)).toBe(false);
    const again = await server.call("DELETE", `/v1/groups/${eng}/members/group:${frontend}`, as(owner));
    expect(again.status).toBe(404);
    expect(again.body.code).toBe("not_found");
  });

  it("a user removed from the org loses the group's access, even through a stale group tuple", async () => {
    const [owner, leo] = [uid("owner"), uid("leo")];
    const org = await newOrg(owner);
    await addMember(org, owner, leo);
    const group = await newGroup(org, owner);
    const project = uid("p");
    await raw(`project:${project}#organization@organization:${org}`, `project:${project}#viewer@group:${group}#member`);
    expect((await putIn(group, `user:${leo}`, owner)).status).toBe(200);
    expect(await allowed(`project:${project}`, "view", `user:${leo}`)).toBe(true);

    expect((await server.call("DELETE", `/v1/orgs/${org}/members/${leo}`, as(owner))).status).toBe(200);
    expect(await tuples({ resourceType: "group", resourceId: group, relation: "direct_member" })).toEqual([]);
    // Put the group tuple back raw: the schema still refuses, since leo is no org member.
    await raw(`group:${group}#direct_member@user:${leo}`);
    expect(await allowed(`group:${group}`, "member", `user:${leo}`)).toBe(false);
    expect(await allowed(`project:${project}`, "view", `user:${leo}`)).toBe(false);
  });

  it("nested groups: same organization only, no cycles (400 naming subject), unknown group 404", async () => {
    const owner = uid("owner");
    const org = await newOrg(owner);
    const other = await newOrg(owner);
    const [a, b, c] = [await newGroup(org, owner), await newGroup(org, owner), await newGroup(org, owner)];
    const foreign = await newGroup(other, owner);
    expect((await putIn(a, `group:${b}`, owner)).status).toBe(200);
    expect((await putIn(b, `group:${c}#member`, owner)).status).toBe(200);
    for (const [group, subject] of [
      [c, `group:${a}`],
      [b, `group:${a}`],
      [a, `group:${a}`],
      [a, `group:${foreign}`],
    ]) {
      const res = await putIn(group!, subject!, owner);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "invalid_request", field: "subject" });
    }
    expect(await tuples({ resourceType: "group", resourceId: c })).toEqual([`group:${c}#organization@organization:${org}`]);
    expect((await putIn(a, `group:${uid("ghost")}`, owner)).status).toBe(404);
    expect((await putIn(uid("ghost"), `user:${owner}`, owner)).status).toBe(404);
    for (const subject of ["project:p1", "user:a#member", "user:*", "alice"]) {
      const res = await putIn(a, encodeURIComponent(subject), owner);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("path.subject");
    }
  });

  it("needs the group's manage (members scope full) to change members, its view to list them", async () => {
    const [owner, max, vic, gina] = [uid("owner"), uid("max"), uid("vic"), uid("gina")];
    const org = await newOrg(owner);
    await addMember(org, owner, max, { members: "full" });
    await addMember(org, owner, vic, { members: "view" });
    await addMember(org, owner, gina);
    const group = await newGroup(org, max);
    const denied = await putIn(group, `user:${gina}`, vic);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("forbidden");
    expect(await tuples({ resourceType: "group", resourceId: group, relation: "direct_member" })).toEqual([]);
    expect((await putIn(group, `user:${gina}`, max)).status).toBe(200);
    expect((await server.call("DELETE", `/v1/groups/${group}/members/user:${gina}`, as(vic))).status).toBe(403);
    expect((await server.call("GET", `/v1/groups/${group}/members`, as(vic))).status).toBe(200);
    expect((await server.call("GET", `/v1/groups/${group}/members`, as(uid("stranger")))).status).toBe(403);
  });
});

describe("DELETE /v1/groups/:group", () => {
  it("removes the group and every relationship naming it (projects, resources, bindings, other groups)", async () => {
    const [owner, gina, vic] = [uid("owner"), uid("gina"), uid("vic")];
    const org = await newOrg(owner);
    await addMember(org, owner, gina);
    await addMember(org, owner, vic, { members: "view" });
    const [group, parent] = [await newGroup(org, owner, "Doomed"), await newGroup(org, owner)];
    expect((await putIn(group, `user:${gina}`, owner)).status).toBe(200);
    expect((await putIn(parent, `group:${group}`, owner)).status).toBe(200);
    const [project, resource] = [uid("p"), uid("r")];
    await raw(
      `project:${project}#organization@organization:${org}`,
      `project:${project}#viewer@group:${group}#member`,
      `resource:${resource}#project@project:${project}`,
      `resource:${resource}#editor@group:${group}#member`,
      `role_binding:${project}|r1#holder@group:${group}#member`,
    );
    expect(await allowed(`resource:${resource}`, "edit", `user:${gina}`)).toBe(true);

    expect((await server.call("DELETE", `/v1/groups/${group}`, as(vic))).status).toBe(403);
    const res = await server.call("DELETE", `/v1/groups/${group}`, as(owner));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: group, removed: 6 });
    expect(await tuples({ resourceType: "group", resourceId: group })).toEqual([]);
    for (const type of ["group", "project", "resource", "role_binding"]) {
      expect(await tuples({ resourceType: type, subjectType: "group", subjectId: group })).toEqual([]);
    }
    expect(await allowed(`resource:${resource}`, "edit", `user:${gina}`)).toBe(false);
    expect(await allowed(`project:${project}`, "view", `user:${gina}`)).toBe(false);
    expect((await server.call("GET", `/v1/groups/${group}/members`, as(owner))).status).toBe(404);
    const listed = await server.call("GET", `/v1/orgs/${org}/groups`, as(owner));
    expect(listed.body.groups.map((g: { id: string }) => g.id)).toEqual([parent]);
  });
});
