// Pins personal plans (rule 10): PUT/GET /v1/users/:user/plan (admin scope), starter by
// default; a starter owner cannot invite to a personal project (403 plan_required, nothing
// written); a scale owner can, invitees need no organization, groups are refused (rule 5).
import { describe, expect, it } from "vitest";
import { useTestServer, uid, type CallOptions, } from "./support/test-server.js";

const server = useTestServer();

const as = (user: string, email?: string): CallOptions => ({ key: "manage", actor: `user:${user}`, ...(email ? { headers: { "x-actor-email": email } } : {}) });
const setPlan = (user: string, plan: unknown, key: CallOptions["key"] = "admin") => server.call("PUT", `/v1/users/${user}/plan`, { key, body: { plan } });
const allowed = async (resource: string, permission: string, subject: string) => {
  const res = await server.call("POST", "/v1/check", { body: { resource, permission, subject } });
  expect(res.status).toBe(200);
  return res.body.allowed as boolean;
};
const personalProject = async (owner: string) => {
  const id = uid("p");
  expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id, owner: `user:${owner}` } })).status).toBe(201);
  return id;
};
const invite = (project: string, actor: string, invitees: unknown[], role = "viewer") =>
  server.call("POST", `/v1/projects/${project}/invitations`, { ...as(actor), body: { invitees, role } });
const listed = async (project: string, owner: string) => {
  const res = await server.call("GET", `/v1/projects/${project}/invitations`, as(owner));
  expect(res.status).toBe(200);
  return res.body.invitations as Array<{ id: string; invitee: string; status: string }>;
};

describe("PUT /v1/users/:user/plan", () => {
  it("is starter by default, set by admin keys only, starter or scale", async () => {
    const pat = uid("pat");
    expect((await server.call("GET", `/v1/users/${pat}/plan`)).body).toEqual({ user: pat, plan: "starter" });
    const set = await setPlan(pat, "scale");
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ user: pat, plan: "scale" });
    expect(set.body.zedToken).toBeTruthy();
    expect((await server.call("GET", `/v1/users/${pat}/plan`)).body.plan).toBe("scale");
    expect((await setPlan(pat, "starter", "manage")).status).toBe(403);
    expect((await server.call("GET", `/v1/users/${pat}/plan`, { key: "manage", actor: `user:${pat}` })).status).toBe(403);
    const bad = await setPlan(pat, "enterprise");
    expect([bad.status, bad.body.code, bad.body.field]).toEqual([400, "invalid_request", "plan"]);
    expect((await setPlan("bad id", "scale")).status).toBe(400);
    expect((await server.call("GET", `/v1/users/${pat}/plan`)).body.plan).toBe("scale");
  });
});

describe("personal project invitations", () => {
  it("a starter owner cannot invite: 403 plan_required, nothing written", async () => {
    const [pat, friend] = [uid("pat"), uid("friend")];
    const project = await personalProject(pat);
    const res = await invite(project, pat, [friend]);
    expect([res.status, res.body.code]).toEqual([403, "plan_required"]);
    expect(await listed(project, pat)).toEqual([]);
    expect(await allowed(`project:${project}`, "view", `user:${friend}`)).toBe(false);
  });

  it("a scale owner invites any user or e-mail address, no organization needed; groups are refused", async () => {
    const [pat, friend, pal] = [uid("pat"), uid("friend"), uid("pal")];
    await setPlan(pat, "scale");
    const project = await personalProject(pat);
    const email = `${pal}@example.com`;
    const res = await invite(project, pat, [friend, email, `group:${uid("g")}`, pat], "editor");
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status)).toEqual([
      "invited",
      "invited",
      "groups_not_allowed",
      "already_member",
    ]);
    expect(res.body.results[2].error.status).toBe(422);
    const [forFriend, forPal] = res.body.results.map((r: { invitation?: { id: string } }) => r.invitation?.id) as [string, string];
    expect(await allowed(`project:${project}`, "edit", `user:${friend}`)).toBe(false);
    expect((await server.call("POST", `/v1/invitations/${forFriend}/accept`, as(friend))).status).toBe(200);
    expect(await allowed(`project:${project}`, "edit", `user:${friend}`)).toBe(true);
    expect((await server.call("POST", `/v1/invitations/${forPal}/accept`, as(pal, email))).status).toBe(200);
    expect(await allowed(`project:${project}`, "edit", `user:${pal}`)).toBe(true);
    // Custom roles exist only in organizations.
    const custom = await invite(project, pat, [uid("x")], "role:auditor");
    expect([custom.status, custom.body.code]).toEqual([422, "invalid_role"]);
  });

  it("the owner's plan decides, whoever invites; downgrading stops new invitations, not those already sent", async () => {
    const [pat, helper, friend, other] = [uid("pat"), uid("helper"), uid("friend"), uid("other")];
    await setPlan(pat, "scale");
    const project = await personalProject(pat);
    expect((await server.call("PUT", `/v1/projects/${project}/members/user:${helper}`, { ...as(pat), body: { role: "manager" } })).status).toBe(200);
    const sent = await invite(project, helper, [friend]);
    expect(sent.body.invited).toBe(1);
    await setPlan(pat, "starter");
    expect((await invite(project, helper, [other])).body.code).toBe("plan_required");
    expect((await invite(project, pat, [other])).body.code).toBe("plan_required");
    expect((await server.call("POST", `/v1/invitations/${sent.body.results[0].invitation.id}/accept`, as(friend))).status).toBe(200);
    expect(await allowed(`project:${project}`, "view", `user:${friend}`)).toBe(true);
    expect((await listed(project, pat)).map((i) => i.status)).toEqual(["accepted"]);
  });
});
