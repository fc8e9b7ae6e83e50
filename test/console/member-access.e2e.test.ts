// Pins the console's member pages for rules 14 and 16 in headless Chromium against the real app
// and engine: the member directory (e-mail, project access, joined date) under the seat usage;
// the invite dialog with project access and per-project scopes — the invitation checked through
// the API, then the access it grants once accepted; refusals shown next to the field they are
// about (a project of another organization, 422; a role the sender may not grant, 403) with
// nothing sent; and Edit permissions, which changes a project role and ends the access to a
// project left out after a warning, in one write, checked through the API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { productCalls } from "../support/product-calls.js";
import { KEYS, startTestServer, uid, type TestServer } from "../support/test-server.js";
import { CHROMIUM, HAS_CHROMIUM, ensureConsoleBuilt, openConsole, resetScreenshots, screenshot, seenIssues, type ConsoleTab } from "./console-browser.js";

if (!HAS_CHROMIUM) console.warn(`console member-access e2e skipped: no Chromium at ${CHROMIUM} (install it: apt-get install -y chromium)`);

describe.skipIf(!HAS_CHROMIUM)("console: inviting with project access and editing permissions in Chromium", () => {
  let server: TestServer;
  let tab: ConsoleTab;
  const { as, allowed, tuples } = productCalls(() => server);
  const [org, other, apollo, zeus, foreign] = [uid("org"), uid("other"), uid("apollo"), uid("zeus"), uid("foreign")];
  const [owner, ada, pm, sam, dana, neo, ann] = [uid("olivia"), uid("ada"), uid("pm"), uid("sam"), uid("dana"), uid("neo"), uid("ann")];
  const danaEmail = `${dana}@example.com`;

  const write = async (method: string, path: string, actor: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await server.call(method, path, { ...as(actor), body, ...(headers ? { headers } : {}) });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  const pending = async () => (await server.call("GET", `/v1/orgs/${org}/invitations?status=pending`, as(owner))).body.invitations as Array<Record<string, unknown>>;
  const directory = async () => (await server.call("GET", `/v1/orgs/${org}/members`, as(owner))).body.members as Array<Record<string, unknown> & { user: string }>;
  /** everything a user holds on the organization's projects and their feature objects, as raw tuples. */
  const holdings = async (user: string) => {
    const own = await tuples({ resourceType: "project", subjectType: "user", subjectId: user });
    const features = await tuples({ resourceType: "project_feature", subjectType: "user", subjectId: user });
    return [...own, ...features].filter((t) => [apollo, zeus].some((p) => t.startsWith(`project:${p}#`) || t.startsWith(`project_feature:${p}|`))).sort();
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    resetScreenshots("member-access");
    server = await startTestServer();
    tab = await openConsole(server.url);
    // Through the API: an organization with a feature key and two projects, an org admin (ada),
    // pm who manages members and apollo only, sam with access to both projects (and an explicit
    // per-project scope), and dana who joined through an e-mail invitation.
    await write("POST", "/v1/orgs", owner, { id: org, name: "Acme Access" });
    await write("PATCH", `/v1/orgs/${org}`, owner, { seatLimit: 8 });
    await write("PUT", `/v1/orgs/${org}/features`, owner, { features: ["analytics"] });
    for (const p of [apollo, zeus]) await write("POST", "/v1/projects", owner, { id: p, owner: `organization:${org}` });
    await write("PUT", `/v1/orgs/${org}/members/${ada}`, owner, { role: "admin" });
    await write("PUT", `/v1/orgs/${org}/members/${pm}/access`, owner, { role: "member", scopes: { members: "full" }, projects: [{ project: apollo, role: "manager" }] });
    await write("PUT", `/v1/orgs/${org}/members/${sam}/access`, owner, {
      role: "member",
      projects: [
        { project: apollo, role: "editor", scopes: { analytics: "none" } },
        { project: zeus, role: "viewer" },
      ],
    });
    const sent = await write("POST", `/v1/orgs/${org}/invitations`, owner, { invitees: [danaEmail], role: "member" });
    await write("POST", `/v1/invitations/${sent.results[0].invitation.id}/accept`, dana, undefined, { "x-actor-email": danaEmail });
    await write("POST", "/v1/orgs", owner, { id: other });
    await write("POST", "/v1/projects", owner, { id: foreign, owner: `organization:${other}` });
  });

  afterAll(async () => {
    await tab?.close();
    await server?.close();
  });

  it("the members page shows seat usage and each member's e-mail, project access and joined date", async () => {
    const { page } = tab;
    await tab.signIn(KEYS.admin, `user:${ada}`);
    await tab.go(`#/orgs/${org}/members`);
    // owner, ada, pm, sam and dana: 5 of 8 seats, none pending.
    const seats = (await server.call("GET", `/v1/orgs/${org}`, as(owner))).body.seats;
    expect(seats).toEqual({ limit: 8, members: 5, pending: 0, available: 3 });
    await page.getByTestId("seat-usage").filter({ hasText: "5 members + 0 pending invitations = 5 of 8 — 3 available" }).waitFor();

    const danaRow = page.locator(`tr[data-member="${dana}"]`);
    await danaRow.getByText(danaEmail).waitFor();
    const joined = (await directory()).find((m) => m.user === dana)!.joinedAt as string;
    expect(await danaRow.locator("time").getAttribute("datetime")).toBe(joined);
    const samAccess = page.getByRole("list", { name: `Project access of user:${sam}` });
    expect((await samAccess.innerText()).split("\n").sort()).toEqual([`${apollo}: editor`, `${zeus}: viewer`].sort());
    expect(await page.locator(`tr[data-member="${dana}"]`).innerText()).toContain("none of their own");
    await screenshot(page, "member-directory");
  });

  it("invites a user with a project role and a per-project scope; accepted, the access holds", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Invite members…" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite members" });
    await dialog.getByTestId("invite-seats").filter({ hasText: "3 of 8 seats available." }).waitFor();
    await dialog.getByLabel(/^Invitees/).fill(neo);
    await dialog.getByRole("combobox", { name: "Role", exact: true }).selectOption("member");
    await dialog.getByRole("button", { name: "Add a project" }).click();
    const row = dialog.getByRole("group", { name: "Project 1", exact: true });
    await row.getByLabel("Project", { exact: true }).fill(apollo);
    await row.getByLabel("Role on the project").selectOption("viewer");
    await row.getByLabel("analytics scope on project 1").selectOption("full");
    await screenshot(page, "invite-dialog");
    await dialog.getByRole("button", { name: "Send invitations" }).click();
    await page.getByRole("status").filter({ hasText: "1 invited, 0 refused, with access to 1 project" }).waitFor();
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("list", { name: "Outcome per invitee" }).getByText(`${neo}: invited`).waitFor();
    await page.getByTestId("seat-usage").filter({ hasText: "1 pending invitation = 6 of 8" }).waitFor();
    await screenshot(page, "invited");

    // The invitation carries exactly that access, and nothing is granted before it is accepted.
    const invitations = await pending();
    expect(invitations).toHaveLength(1);
    expect(invitations[0]).toMatchObject({ invitee: `user:${neo}`, role: "member", projects: [{ project: apollo, role: "viewer", scopes: { analytics: "full" } }] });
    expect(await holdings(neo)).toEqual([]);
    expect(await allowed(`project:${apollo}`, "view", `user:${neo}`)).toBe(false);
    // The Invitations tab shows the access it carries.
    await tab.go(`#/orgs/${org}/invitations`);
    await page.locator("tr[data-invitation]").filter({ hasText: `user:${neo}` }).filter({ hasText: `${apollo}: viewer (analytics full)` }).waitFor();

    await write("POST", `/v1/invitations/${invitations[0]!.id}/accept`, neo);
    expect(await allowed(`organization:${org}`, "view", `user:${neo}`)).toBe(true);
    expect(await allowed(`project:${apollo}`, "view", `user:${neo}`)).toBe(true);
    expect(await allowed(`project:${apollo}`, "edit", `user:${neo}`)).toBe(false);
    // A viewer has view on features by role; the explicit full gives manage.
    expect(await allowed(`project:${apollo}`, "manage_analytics", `user:${neo}`)).toBe(true);
    expect(await allowed(`project:${zeus}`, "view", `user:${neo}`)).toBe(false);
    expect(await holdings(neo)).toEqual([`project:${apollo}#viewer@user:${neo}`, `project_feature:${apollo}|analytics#scope_full@user:${neo}`].sort());

    // The directory shows the new member with their project access.
    await tab.go(`#/orgs/${org}/members`);
    await page.getByRole("list", { name: `Project access of user:${neo}` }).getByText(`${apollo}: viewer`).waitFor();
  });

  it("shows a project of another organization refused (422) next to its field, and sends nothing", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Invite members…" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite members" });
    await dialog.getByLabel(/^Invitees/).fill(ann);
    await dialog.getByRole("button", { name: "Add a project" }).click();
    await dialog.getByRole("group", { name: "Project 1", exact: true }).getByLabel("Project", { exact: true }).fill(apollo);
    await dialog.getByRole("button", { name: "Add a project" }).click();
    const second = dialog.getByRole("group", { name: "Project 2", exact: true });
    await second.getByLabel("Project", { exact: true }).fill(foreign);
    await dialog.getByRole("button", { name: "Send invitations" }).click();
    // The problem sits in the second project's row, the field marked invalid.
    const alert = second.getByRole("alert");
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain("Not a project of this organization (422)");
    expect(text).toContain(`project ${foreign} is not a project of organization ${org}`);
    expect(text).toContain("not_in_organization");
    expect(text).toContain("projects.1.project");
    expect(await second.getByLabel("Project", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await dialog.getByRole("alert").count()).toBe(1);
    await screenshot(page, "invite-foreign-project");
    // The dialog keeps what was typed; Escape closes it, and nothing was sent.
    expect(await dialog.getByLabel(/^Invitees/).inputValue()).toBe(ann);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await pending()).toEqual([]);
  });

  it("shows a role the sender may not grant refused (403) next to it, and sends nothing", async () => {
    const { page } = tab;
    // pm manages the organization's members and apollo, as a manager: admin on apollo is beyond them.
    await tab.signOut();
    await tab.signIn(KEYS.manage, `user:${pm}`);
    await tab.go(`#/orgs/${org}/members`);
    await page.getByRole("button", { name: "Invite members…" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite members" });
    await dialog.getByLabel(/^Invitees/).fill(ann);
    await dialog.getByRole("button", { name: "Add a project" }).click();
    const row = dialog.getByRole("group", { name: "Project 1", exact: true });
    await row.getByLabel("Project", { exact: true }).fill(apollo);
    await row.getByLabel("Role on the project").selectOption("admin");
    await dialog.getByRole("button", { name: "Send invitations" }).click();
    const alert = row.getByRole("alert");
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain("Refused (403): a manager can't grant, change or remove an admin");
    expect(text).toContain(`project ${apollo}`);
    expect(await row.getByLabel("Role on the project").getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "invite-role-refused");
    expect(await pending()).toEqual([]);

    // Within pm's rights the same dialog goes through.
    await row.getByLabel("Role on the project").selectOption("editor");
    await dialog.getByRole("button", { name: "Send invitations" }).click();
    await page.getByRole("status").filter({ hasText: "1 invited, 0 refused" }).waitFor();
    expect(await pending()).toEqual([expect.objectContaining({ invitee: `user:${ann}`, projects: [{ project: apollo, role: "editor" }] })]);
  });

  it("Edit permissions changes a project role and ends the access to a project left out, after a warning", async () => {
    const { page } = tab;
    await tab.signOut();
    await tab.signIn(KEYS.admin, `user:${ada}`);
    await tab.go(`#/orgs/${org}/members`);
    expect(await allowed(`project:${zeus}`, "view", `user:${sam}`)).toBe(true);
    // From the keyboard: Enter opens the dialog with focus inside it; Escape closes it and
    // gives focus back to the button.
    const open = page.getByRole("button", { name: `Edit permissions of user:${sam}` });
    const dialog = page.getByRole("dialog", { name: `Edit permissions of user:${sam}` });
    await open.focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await page.waitForFunction(() => document.activeElement?.closest("dialog.modal") !== null);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await open.evaluate((button) => document.activeElement === button)).toBe(true);
    await open.click();
    // The current access, with the explicit per-project scope read back.
    const apolloRow = dialog.getByRole("group", { name: "Project 1", exact: true });
    const zeusRow = dialog.getByRole("group", { name: "Project 2", exact: true });
    await apolloRow.waitFor();
    expect(await apolloRow.getByLabel("Project", { exact: true }).inputValue()).toBe(apollo);
    expect(await apolloRow.getByLabel("Role on the project").inputValue()).toBe("editor");
    expect(await apolloRow.getByLabel("analytics scope on project 1").inputValue()).toBe("none");
    expect(await zeusRow.getByLabel("Project", { exact: true }).inputValue()).toBe(zeus);

    await apolloRow.getByLabel("Role on the project").selectOption("manager");
    await zeusRow.getByRole("button", { name: `Remove project 2 (${zeus}) from the access` }).click();
    // Before saving, the dialog says which project's access will end.
    await dialog.getByTestId("access-removed").filter({ hasText: `saving ends user:${sam}'s own access to ${zeus}` }).waitFor();
    await screenshot(page, "edit-permissions");
    await dialog.getByRole("button", { name: "Save permissions" }).click();
    const confirm = page.getByRole("dialog", { name: new RegExp(`^Save and end user:${sam}'s own access to ${zeus}\\?`) });
    await confirm.waitFor();
    // Cancelling the warning writes nothing.
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "hidden" });
    expect(await holdings(sam)).toContain(`project:${zeus}#viewer@user:${sam}`);
    await dialog.getByRole("button", { name: "Save permissions" }).click();
    await confirm.getByRole("button", { name: "Save and remove access" }).click();
    await page.getByRole("status").filter({ hasText: `Permissions of user:${sam} saved: member, access to 1 project(s); their own access ended on ${zeus}` }).waitFor();
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("list", { name: `Project access of user:${sam}` }).getByText(`${apollo}: manager`).waitFor();
    expect(await page.getByRole("list", { name: `Project access of user:${sam}` }).innerText()).not.toContain(zeus);
    await screenshot(page, "permissions-saved");

    expect(await allowed(`project:${zeus}`, "view", `user:${sam}`)).toBe(false);
    expect(await allowed(`project:${apollo}`, "manage_members", `user:${sam}`)).toBe(true);
    expect(await allowed(`project:${apollo}`, "view_analytics", `user:${sam}`)).toBe(false);
    expect(await holdings(sam)).toEqual([`project:${apollo}#manager@user:${sam}`, `project_feature:${apollo}|analytics#scope_none@user:${sam}`].sort());
    expect((await directory()).find((m) => m.user === sam)).toMatchObject({ role: "member", projects: [{ project: apollo, role: "manager" }] });
  });

  it("ran without script errors, labelled every control and fitted the screen", () => {
    expect(tab.pageErrors).toEqual([]);
    expect(seenIssues()).toEqual([]);
  });
});
