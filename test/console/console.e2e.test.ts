// Pins the admin console end to end in headless Chromium against the real app and engine:
// sign-in, organization / group / custom role / project / member management, rule 3 refused
// and shown as such, check-and-explain, invitations, the raw relationship browser.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, startTestServer, uid, type TestServer } from "../support/test-server.js";
import { CHROMIUM, HAS_CHROMIUM, ensureConsoleBuilt, launchChromium, resetScreenshots, screenshot, seenIssues } from "./console-browser.js";

if (!HAS_CHROMIUM) console.warn(`console e2e skipped: no Chromium at ${CHROMIUM} (install it: apt-get install -y chromium)`);

const TIMEOUT = 10_000;

describe("console page as built", () => {
  let server: TestServer;
  beforeAll(async () => {
    ensureConsoleBuilt();
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("is served without credentials, scripts as files, nothing from another host", async () => {
    const page = await server.call("GET", "/console", { key: null });
    expect(page.status).toBe(200);
    const html = page.body as string;
    expect(html).not.toMatch(/https?:\/\//);
    // helmet's CSP allows no inline script: every <script> must load a file.
    for (const tag of html.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/ src="\/console\/assets\//);
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) expect((await server.call("GET", asset, { key: null })).status).toBe(200);
  });
});

describe.skipIf(!HAS_CHROMIUM)("admin console in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const org = uid("org");
  const project = uid("prj");
  const group = uid("grp");
  const role = uid("role");
  const [owner, manager, admin] = [uid("olivia"), uid("mia"), uid("ada")];

  beforeAll(async () => {
    ensureConsoleBuilt();
    resetScreenshots();
    server = await startTestServer();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on("pageerror", (err) => pageErrors.push(String(err)));
    // A CSP violation (an inline script, a CDN) shows up as a console error.
    page.on("console", (msg) => msg.type() === "error" && /Content Security Policy|Refused to/.test(msg.text()) && pageErrors.push(msg.text()));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = async (key: keyof typeof KEYS, actor: string) => {
    await page.goto(`${server.url}/console`);
    await page.getByLabel("API key").fill(KEYS[key]);
    await page.getByLabel("Act as (X-Actor)").fill(`user:${actor}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("actor").filter({ hasText: `user:${actor}` }).waitFor();
  };
  const signOut = () => page.getByRole("button", { name: "Sign out" }).click();
  const go = (hash: string) => page.evaluate((h) => (location.hash = h), hash);
  const relationships = async (query: string) =>
    ((await server.call("GET", `/v1/relationships?${query}`)).body.relationships as Array<{ relationship: string }>).map((r) => r.relationship);

  it("signs in with a key and an actor kept in session storage only", async () => {
    await page.goto(`${server.url}/console`);
    await page.getByLabel("API key").fill("not-a-valid-key-000000");
    await page.getByLabel("Act as (X-Actor)").fill(`user:${owner}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "the API key was not accepted" }).waitFor();
    await screenshot(page, "sign-in-refused");

    await signIn("admin", owner);
    const storage = await page.evaluate(() => ({ session: sessionStorage.length, local: localStorage.length, cookie: document.cookie }));
    expect(storage).toEqual({ session: 1, local: 0, cookie: "" });
    expect(await page.getByRole("link", { name: "Relationships" }).isVisible()).toBe(true);
    await screenshot(page, "signed-in");
  });

  it("creates an organization; the actor becomes its owner", async () => {
    const form = page.getByRole("form", { name: "Create an organization" });
    await form.getByLabel("Organization id").fill(org);
    await form.getByLabel("Name").fill("Acme Console");
    await form.getByLabel("Seat limit (optional)").fill("5");
    await form.getByRole("button", { name: "Create organization" }).click();
    await page.locator(`tr[data-member="${owner}"]`).waitFor();
    expect(await page.getByLabel(`Role of user:${owner}`, { exact: true }).inputValue()).toBe("owner");
    await page.getByTestId("seat-usage").filter({ hasText: "of 5" }).waitFor();

    const members = await server.call("GET", `/v1/orgs/${org}/members`, { key: "manage", actor: `user:${owner}` });
    expect(members.status).toBe(200);
    expect(members.body.members).toEqual([expect.objectContaining({ user: owner, role: "owner" })]);
    await screenshot(page, "organization-created");
  });

  it("adds members with a role and scopes, and shows the seat usage", async () => {
    const form = page.getByRole("form", { name: "Add a member" });
    for (const [user, projects] of [[manager, "full"], [admin, "none"]] as const) {
      await form.getByLabel("User id").fill(user);
      await form.getByLabel("projects scope of the new member").selectOption(projects);
      await form.getByRole("button", { name: "Add member" }).click();
      await page.locator(`tr[data-member="${user}"]`).waitFor();
    }
    await page.getByTestId("seat-usage").filter({ hasText: "3 of 5" }).waitFor();

    const members = (await server.call("GET", `/v1/orgs/${org}/members`, { key: "manage", actor: `user:${owner}` })).body.members;
    expect(members.find((m: { user: string }) => m.user === manager)).toMatchObject({ role: "member", scopes: { projects: "full", general: "view" } });
    const check = await server.call("POST", "/v1/check", { body: { resource: `organization:${org}`, permission: "create_project", subject: `user:${manager}` } });
    expect(check.body.allowed).toBe(true);
    await screenshot(page, "members-added");
  });

  it("creates a group and adds a member to it", async () => {
    await page.getByRole("navigation", { name: "Organization sections" }).getByRole("link", { name: "Groups" }).click();
    const form = page.getByRole("form", { name: "Create a group" });
    await form.getByLabel("Group id").fill(group);
    await form.getByRole("button", { name: "Create group" }).click();
    await page.getByRole("heading", { name: `Members of group ${group}` }).waitFor();
    const add = page.getByRole("form", { name: "Add a member" });
    await add.getByLabel("User or group (user:alice, group:eng)").fill(`user:${admin}`);
    await add.getByRole("button", { name: "Add to group" }).click();
    await page.getByRole("list", { name: `Members of group ${group}` }).getByText(`user:${admin}`).waitFor();

    expect(await relationships(`resourceType=group&resourceId=${group}&relation=direct_member`)).toEqual([`group:${group}#direct_member@user:${admin}`]);
    await screenshot(page, "group-created");
  });

  it("creates a custom role from permission checkboxes", async () => {
    await page.getByRole("navigation", { name: "Organization sections" }).getByRole("link", { name: "Custom roles" }).click();
    const form = page.getByRole("form", { name: "Create a custom role" });
    await form.getByLabel("Role id").fill(role);
    await form.getByLabel("Name").fill("Auditor");
    await form.getByRole("checkbox", { name: "comment" }).check();
    await form.getByRole("button", { name: "Create role" }).click();
    await page.getByRole("heading", { name: `Auditor role:${role}` }).waitFor();

    const read = await server.call("GET", `/v1/roles/${role}`, { key: "manage", actor: `user:${owner}` });
    expect(read.body.permissions.sort()).toEqual(["comment", "view"]);
    await screenshot(page, "custom-role");
  });

  it("creates a project in the organization and grants built-in and custom roles", async () => {
    await page.getByRole("navigation", { name: "Organization sections" }).getByRole("link", { name: "Projects" }).click();
    await page.getByRole("heading", { name: `Projects of ${org}` }).waitFor();
    const form = page.getByRole("form", { name: "Create a project" });
    await form.getByLabel("Project id").fill(project);
    await form.getByRole("button", { name: "Create project" }).click();
    await page.locator(`tr[data-member="user:${owner}"]`).waitFor();

    const add = page.getByRole("form", { name: "Add a member" });
    for (const [subject, projectRole] of [[`user:${manager}`, "manager"], [`user:${admin}`, "admin"], [`group:${group}`, `role:${role}`]]) {
      await add.getByLabel("User or group (user:alice, group:eng)").fill(subject!);
      await add.getByLabel("Role").selectOption(projectRole!);
      await add.getByRole("button", { name: "Add member" }).click();
      await page.locator(`tr[data-member="${subject}"]`).waitFor();
    }

    const members = (await server.call("GET", `/v1/projects/${project}/members`, { key: "manage", actor: `user:${owner}` })).body.members;
    expect(members).toEqual(
      expect.arrayContaining([
        { subject: `user:${owner}`, role: "admin" },
        { subject: `user:${manager}`, role: "manager" },
        { subject: `user:${admin}`, role: "admin" },
        { subject: `group:${group}`, role: `role:${role}` },
      ]),
    );
    await screenshot(page, "project-members");
  });

  it("shows a manager's attempt to change an admin refused, and writes nothing", async () => {
    await signOut();
    await signIn("manage", manager);
    await go(`#/projects/${project}/members`);
    const row = page.locator(`tr[data-member="user:${admin}"]`);
    await row.getByLabel(`Role of user:${admin}`, { exact: true }).selectOption("viewer");
    await row.getByRole("button", { name: `Save the role of user:${admin}` }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toContain("Refused (403): a manager can't grant, change or remove an admin");
    expect(await alert.innerText()).toContain("forbidden");
    await screenshot(page, "manager-refused");

    expect(await relationships(`resourceType=project&resourceId=${project}&subjectType=user&subjectId=${admin}`)).toEqual([`project:${project}#admin@user:${admin}`]);
  });

  it("explains a permission: allowed or denied, the reasons and the trace as a tree", async () => {
    // The manage key has no check scope: the console says so in the server's words.
    await go(`#/explain/project:${project}/manage_members/user:${manager}`);
    expect(await page.getByRole("alert").innerText()).toContain("this API key lacks the 'check' scope");

    await signOut();
    await signIn("admin", owner);
    await page.getByRole("link", { name: "Check & explain" }).click();
    await page.getByLabel("Resource").fill(`project:${project}`);
    await page.getByLabel("Permission", { exact: true }).fill("manage_members");
    await page.getByLabel("Subject").fill(`user:${manager}`);
    await page.getByRole("button", { name: "Check and explain" }).click();
    await page.getByTestId("verdict").waitFor();
    expect(await page.getByTestId("verdict").innerText()).toMatch(/^Allowed/);
    expect(await page.getByRole("list", { name: "Reasons" }).innerText()).toContain(`manager of project ${project}`);
    const tree = page.getByRole("list", { name: "Explain trace" });
    expect(await tree.innerText()).toContain(`project:${project}#manager`);
    await screenshot(page, "explain-allowed");

    const api = await server.call("POST", "/v1/explain", { body: { resource: `project:${project}`, permission: "manage_admins", subject: `user:${manager}` } });
    expect(api.body.allowed).toBe(false);
    await page.getByLabel("Permission", { exact: true }).fill("manage_admins");
    await page.getByRole("button", { name: "Check and explain" }).click();
    await page.getByTestId("verdict").filter({ hasText: "Denied" }).waitFor();
    await screenshot(page, "explain-denied");
  });

  it("revokes a pending invitation", async (ctx) => {
    const probe = await server.call("GET", `/v1/orgs/${org}/invitations?status=pending`, { key: "manage", actor: `user:${owner}` });
    if (probe.status === 404 && /no route/.test(probe.body.detail)) ctx.skip();
    const invitee = uid("newbie");
    await go(`#/orgs/${org}/invitations`);
    const form = page.getByRole("form", { name: "Invite" });
    await form.getByLabel(/^Invitees/).fill(invitee);
    await form.getByRole("button", { name: "Send invitations" }).click();
    const row = page.locator("tr[data-invitation]").filter({ hasText: invitee });
    await row.waitFor();
    await row.getByRole("button", { name: /Copy the invitation link/ }).click();
    await page.getByRole("status").filter({ hasText: "/console#/invitations/" }).waitFor();
    await screenshot(page, "invitation-pending");

    await row.getByRole("button", { name: /Revoke/ }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke invitation" }).click();
    await page.getByRole("status").filter({ hasText: "revoked" }).waitFor();
    await row.waitFor({ state: "detached" });
    await screenshot(page, "invitation-revoked");

    const pending = await server.call("GET", `/v1/orgs/${org}/invitations?status=pending`, { key: "manage", actor: `user:${owner}` });
    expect(JSON.stringify(pending.body)).not.toContain(invitee);
  });

  it("browses, adds and deletes raw relationships with confirmation (admin key)", async () => {
    const extra = `project:${project}#viewer@user:${uid("zed")}`;
    await page.getByRole("link", { name: "Relationships" }).click();
    await page.getByLabel("Resource type").fill("project");
    await page.getByLabel("Resource id").fill(project);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText(`project:${project}#manager@user:${manager}`).waitFor();

    await page.getByLabel("Relationship (resource#relation@subject)").fill(extra);
    await page.getByRole("button", { name: "Add relationship" }).click();
    // Cancelling the confirmation writes nothing.
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    expect(await relationships(`resourceType=project&resourceId=${project}&relation=viewer`)).toEqual([]);
    await page.getByRole("button", { name: "Add relationship" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Write relationship" }).click();
    await page.getByRole("row").filter({ hasText: extra }).waitFor();
    expect(await relationships(`resourceType=project&resourceId=${project}&relation=viewer`)).toEqual([extra]);
    await screenshot(page, "relationships");

    await page.getByRole("button", { name: `Delete ${extra}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete relationship" }).click();
    await page.getByRole("status").filter({ hasText: `Deleted ${extra}` }).waitFor();
    expect(await relationships(`resourceType=project&resourceId=${project}&relation=viewer`)).toEqual([]);
  });

  it("shows the audit log filtered by object (admin key)", async (ctx) => {
    const probe = await server.call("GET", "/v1/audit?limit=1");
    if (probe.status === 404 && /no route/.test(probe.body.detail)) ctx.skip();
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("row").filter({ hasText: "/v1/orgs/:org/groups" }).first().waitFor();
    await page.getByLabel("Object").fill(`project:${project}`);
    await page.getByRole("button", { name: "Filter" }).click();
    // Filtered: the entries about the organization's groups leave, the project's stay.
    await page.getByRole("row").filter({ hasText: "/v1/orgs/:org/groups" }).first().waitFor({ state: "detached" });
    const row = page.getByRole("row").filter({ hasText: "PUT /v1/projects/:project/members/:subject" }).filter({ hasText: `user:${owner}` });
    await row.first().waitFor();
    await screenshot(page, "audit-log");
  });

  it("works from the keyboard: skip link, focus on the heading, a dialog that Escape cancels", async () => {
    await go(`#/projects/${project}/members`);
    await page.getByRole("heading", { name: new RegExp(`project:${project}`) }).waitFor();
    // Navigation moves focus to the view's heading, where reading starts (after the render).
    await page.waitForFunction(() => document.activeElement?.tagName === "H1");
    // The skip link, first in the page, shows when focused and leads to the heading.
    const skip = page.getByRole("link", { name: "Skip to content" });
    await skip.focus();
    expect((await skip.boundingBox())!.x).toBeGreaterThanOrEqual(0);
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");

    const remove = page.getByRole("button", { name: `Remove user:${manager}` });
    await remove.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog").waitFor();
    // The dialog opens on its safe choice, and Escape cancels: nothing is removed.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await screenshot(page, "confirm-dialog");
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    expect(await relationships(`resourceType=project&resourceId=${project}&relation=manager`)).toEqual([`project:${project}#manager@user:${manager}`]);
  });

  it("ran without script errors or Content-Security-Policy violations", () => {
    expect(pageErrors).toEqual([]);
  });

  it("labelled every control and fitted a 1366×768 screen on every page it showed", () => {
    expect(seenIssues()).toEqual([]);
  });
});
