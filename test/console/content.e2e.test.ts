// Pins the console's content pages (rule 12) in headless Chromium against the real app and
// engine: workspaces, nested folders and resources as a tree, shares that reach everything
// below, who has access, a refused move (422 invalid_parent), push to all workspaces (admins
// only: disabled for others), and a delete that takes everything below — each checked through
// the API, not only on the page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { productCalls } from "../support/product-calls.js";
import { KEYS, startTestServer, uid, type TestServer } from "../support/test-server.js";
import { CHROMIUM, HAS_CHROMIUM, ensureConsoleBuilt, openConsole, resetScreenshots, screenshot, seenIssues, type ConsoleTab } from "./console-browser.js";

if (!HAS_CHROMIUM) console.warn(`console content e2e skipped: no Chromium at ${CHROMIUM} (install it: apt-get install -y chromium)`);

describe.skipIf(!HAS_CHROMIUM)("console: a project's content in Chromium", () => {
  let server: TestServer;
  let tab: ConsoleTab;
  const { as, allowed, tuples } = productCalls(() => server);
  const [org, p, group] = [uid("org"), uid("prj"), uid("grp")];
  const [owner, editor, guest, member] = [uid("olivia"), uid("ed"), uid("gwen"), uid("ivy")];
  const [sales, ops, reports, q1, forecast] = [uid("sales"), uid("ops"), uid("reports"), uid("q1"), uid("forecast")];

  const write = async (method: string, path: string, actor: string, body?: unknown) => {
    const res = await server.call(method, path, { ...as(actor), body });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    resetScreenshots("content");
    server = await startTestServer();
    tab = await openConsole(server.url);
    // The people, through the API: an editor, a guest and a plain member (in a group) of the project.
    await write("POST", "/v1/orgs", owner, { id: org });
    for (const user of [editor, guest, member]) await write("PUT", `/v1/orgs/${org}/members/${user}`, owner, { role: "member" });
    await write("POST", `/v1/orgs/${org}/groups`, owner, { id: group });
    await write("PUT", `/v1/groups/${group}/members/user:${member}`, owner);
    await write("POST", "/v1/projects", owner, { id: p, owner: `organization:${org}` });
    await write("PUT", `/v1/projects/${p}/members/user:${editor}`, owner, { role: "editor" });
    await write("PUT", `/v1/projects/${p}/members/user:${guest}`, owner, { role: "guest" });
  });

  afterAll(async () => {
    await tab?.close();
    await server?.close();
  });

  it("an editor creates a workspace from the Content tab and becomes its editor", async () => {
    const { page } = tab;
    await tab.signIn(KEYS.manage, `user:${editor}`);
    await tab.go(`#/projects/${p}/content`);
    const form = page.getByRole("form", { name: "Create a workspace" });
    await form.getByLabel("Workspace id").fill(sales);
    await form.getByLabel("Name (optional)").fill("Sales");
    await form.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("list", { name: `Workspaces of ${p}` }).getByRole("link", { name: `Sales (${sales})` }).waitFor();

    expect(await tuples({ resourceType: "workspace", resourceId: sales })).toEqual([`workspace:${sales}#editor@user:${editor}`, `workspace:${sales}#project@project:${p}`]);
    expect(await allowed(`workspace:${sales}`, "manage_access", `user:${editor}`)).toBe(true);
  });

  it("the admin builds folders and places a resource; the tree unfolds to any depth", async () => {
    const { page } = tab;
    await tab.signOut();
    await tab.signIn(KEYS.manage, `user:${owner}`);
    await tab.go(`#/workspaces/${sales}`);
    await page.getByRole("heading", { name: `Sales workspace:${sales}` }).waitFor();
    const folder = page.getByRole("form", { name: "Create a folder here" });
    await folder.getByLabel("Folder id").fill(reports);
    await folder.getByLabel("Folder name (optional)").fill("Reports");
    await folder.getByRole("button", { name: "Create folder" }).click();
    await page.getByRole("link", { name: `Reports (${reports})` }).click();
    await page.getByRole("heading", { name: `Reports folder:${reports}` }).waitFor();
    await folder.getByLabel("Folder id").fill(q1);
    await folder.getByRole("button", { name: "Create folder" }).click();
    await page.getByRole("link", { name: q1, exact: true }).click();
    await page.getByRole("heading", { name: `${q1} folder:${q1}` }).waitFor();
    // The path back up: project › workspace › folder.
    await page.locator(".crumbs").filter({ hasText: `${p} › ${sales} › ${reports} › ${q1}` }).waitFor();
    const place = page.getByRole("form", { name: "Add or move a resource here" });
    await place.getByLabel("Resource id").fill(forecast);
    await place.getByRole("button", { name: "Place resource" }).click();
    await page.locator(`tr[data-item="resource:${forecast}"]`).waitFor();

    expect(await tuples({ resourceType: "folder", resourceId: q1, relation: "parent" })).toEqual([`folder:${q1}#parent@folder:${reports}`]);
    expect(await tuples({ resourceType: "resource", resourceId: forecast })).toEqual([`resource:${forecast}#parent@folder:${q1}`, `resource:${forecast}#project@project:${p}`]);

    // The Content tab shows the whole tree: workspace › Reports › q1 › forecast, each opened in place.
    await tab.go(`#/projects/${p}/content`);
    const summary = (name: string) => page.locator("summary", { has: page.getByRole("link", { name, exact: true }) });
    await summary(`Sales (${sales})`).locator(".kind").click();
    // From the keyboard too: a folder's summary opens with Enter.
    await summary(`Reports (${reports})`).focus();
    await page.keyboard.press("Enter");
    await summary(q1).locator(".kind").click();
    await page.getByRole("list", { name: `Contents of ${q1}` }).getByRole("link", { name: forecast }).waitFor();
    await screenshot(page, "content-tree");
  });

  it("shares a folder with a user and a group: the grant reaches everything below it, and ends", async () => {
    const { page } = tab;
    expect(await allowed(`resource:${forecast}`, "view", `user:${guest}`)).toBe(false);
    await tab.go(`#/folders/${reports}`);
    const share = page.getByRole("form", { name: "Share this folder" });
    await share.getByLabel("User or group (user:alice, group:eng)").fill(`user:${guest}`);
    await share.getByRole("button", { name: "Share" }).click();
    await page.locator(`tr[data-share="user:${guest}"]`).waitFor();
    await share.getByLabel("User or group (user:alice, group:eng)").fill(`group:${group}`);
    await share.getByLabel("Role").selectOption("editor");
    await share.getByRole("button", { name: "Share" }).click();
    await page.locator(`tr[data-share="group:${group}"]`).waitFor();
    expect(await allowed(`resource:${forecast}`, "view", `user:${guest}`)).toBe(true);
    expect(await allowed(`resource:${forecast}`, "edit", `user:${guest}`)).toBe(false);
    expect(await allowed(`resource:${forecast}`, "edit", `user:${member}`)).toBe(true);

    // Who has access below says how, in product terms.
    await tab.go(`#/folders/${q1}`);
    const row = page.getByRole("row").filter({ hasText: `user:${guest}` });
    expect(await row.innerText()).toContain(`viewer through folder ${reports}`);
    await screenshot(page, "folder-access");

    await tab.go(`#/folders/${reports}`);
    await page.getByRole("button", { name: `End the share with user:${guest}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "End share" }).click();
    await page.locator(`tr[data-share="user:${guest}"]`).waitFor({ state: "detached" });
    expect(await allowed(`resource:${forecast}`, "view", `user:${guest}`)).toBe(false);
    expect(await tuples({ resourceType: "folder", resourceId: reports, relation: "editor" })).toEqual([`folder:${reports}#editor@group:${group}#member`, `folder:${reports}#editor@user:${owner}`]);
  });

  it("shows a move that would make a cycle refused (422 invalid_parent), and moves nothing", async () => {
    const { page } = tab;
    const form = page.getByRole("form", { name: "Move or rename" });
    await form.getByLabel("Place (workspace:sales or folder:q1)").fill(`folder:${q1}`);
    await form.getByRole("button", { name: "Move or rename" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain("Refused (422): it cannot go there");
    expect(text).toContain("cycle");
    expect(text).toContain("invalid_parent");
    await screenshot(page, "move-refused");
    expect(await tuples({ resourceType: "folder", resourceId: reports, relation: "parent" })).toEqual([`folder:${reports}#parent@workspace:${sales}`]);

    // A move that is allowed: q1 up to the workspace, renamed on the way.
    await tab.go(`#/folders/${q1}`);
    await page.getByRole("heading", { name: `${q1} folder:${q1}` }).waitFor();
    await form.getByLabel("Place (workspace:sales or folder:q1)").fill(`workspace:${sales}`);
    await form.getByLabel("New name").fill("Q1");
    await form.getByRole("button", { name: "Move or rename" }).click();
    await page.getByRole("heading", { name: `Q1 folder:${q1}` }).waitFor();
    expect(await tuples({ resourceType: "folder", resourceId: q1, relation: "parent" })).toEqual([`folder:${q1}#parent@workspace:${sales}`]);
  });

  it("offers push to all workspaces to admins only, and pushes and takes back", async () => {
    const { page } = tab;
    // The guest sees a second workspace, not the one Reports lives in.
    await write("POST", `/v1/projects/${p}/workspaces`, owner, { id: ops });
    await write("PUT", `/v1/workspaces/${ops}/members/user:${guest}`, owner, { role: "viewer" });
    expect(await allowed(`folder:${reports}`, "view", `user:${guest}`)).toBe(false);

    await tab.signOut();
    await tab.signIn(KEYS.manage, `user:${editor}`);
    await tab.go(`#/folders/${reports}`);
    await page.getByText("Only project admins push content to all workspaces.").waitFor();
    expect(await page.getByRole("button", { name: "Push to all workspaces", exact: true }).isDisabled()).toBe(true);
    // The page follows the server: the editor holds no admin permission, and a push is refused.
    const mine = await server.call("GET", `/v1/projects/${p}/permissions/user:${editor}`, as(editor));
    expect(mine.body.permissions.manage_admins).toBe(false);
    expect((await server.call("POST", `/v1/folders/${reports}/push`, as(editor))).status).toBe(403);
    await screenshot(page, "push-disabled");

    await tab.signOut();
    await tab.signIn(KEYS.manage, `user:${owner}`);
    await tab.go(`#/folders/${reports}`);
    await page.getByRole("button", { name: "Push to all workspaces", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "pushed to all workspaces" }).waitFor();
    expect(await tuples({ resourceType: "folder", resourceId: reports, relation: "pushed" })).toEqual([`folder:${reports}#pushed@project:${p}`]);
    expect(await allowed(`folder:${reports}`, "view", `user:${guest}`)).toBe(true);

    // Any workspace lists what is pushed; the admin takes it back there.
    await tab.go(`#/workspaces/${ops}`);
    await page.getByRole("list", { name: "Pushed to all workspaces" }).getByText(`folder:${reports}`).waitFor();
    await page.getByRole("button", { name: `Take back the push of folder:${reports}` }).click();
    await page.getByRole("list", { name: "Pushed to all workspaces" }).waitFor({ state: "detached" });
    expect(await tuples({ resourceType: "folder", resourceId: reports, relation: "pushed" })).toEqual([]);
    expect(await allowed(`folder:${reports}`, "view", `user:${guest}`)).toBe(false);
  });

  it("deletes a workspace after a confirmation that says everything below goes too", async () => {
    const { page } = tab;
    await tab.go(`#/workspaces/${sales}`);
    const remove = page.getByRole("button", { name: `Delete workspace ${sales} and everything below it` });
    await remove.click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.innerText()).toContain("Everything below it goes too: every folder and resource inside it, at any depth");
    // Escape cancels: nothing is deleted.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect((await server.call("GET", `/v1/workspaces/${sales}`, as(owner))).status).toBe(200);

    await remove.click();
    await dialog.getByRole("button", { name: "Delete workspace" }).click();
    // Back on the project's Content tab, which no longer lists the workspace.
    await page.getByRole("heading", { name: new RegExp(`project:${p}`) }).waitFor();
    await page.getByRole("list", { name: `Workspaces of ${p}` }).getByRole("link", { name: ops }).waitFor();
    expect(await page.getByRole("link", { name: `Sales (${sales})` }).count()).toBe(0);
    expect((await server.call("GET", `/v1/workspaces/${sales}`, as(owner))).status).toBe(404);
    for (const [type, id] of [["workspace", sales], ["folder", reports], ["folder", q1], ["resource", forecast]] as const) {
      expect(await tuples({ resourceType: type, resourceId: id }), `${type}:${id}`).toEqual([]);
      expect(await tuples({ subjectType: type, subjectId: id }), `naming ${type}:${id}`).toEqual([]);
    }
    // The other workspace stays.
    expect(await tuples({ resourceType: "workspace", resourceId: ops, relation: "project" })).toEqual([`workspace:${ops}#project@project:${p}`]);
  });

  it("ran without script errors, labelled every control and fitted the screen", () => {
    expect(tab.pageErrors).toEqual([]);
    expect(seenIssues()).toEqual([]);
  });
});
