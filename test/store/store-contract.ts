// store-contract pins the Store port's behaviour; every Store implementation runs it
// (sqlite-store.test.ts, postgres-store.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditDraft, InvitationRecord, Store } from "../../src/store/store.js";

export interface StoreUnderTest {
  store: Store;
  /** cleanup removes what the store left behind (files, schemas). */
  cleanup(): Promise<void>;
}

let counter = 0;
const id = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

const T0 = new Date("2030-01-01T00:00:00.000Z");
const later = (ms: number) => new Date(T0.getTime() + ms);
const DAY = 86_400_000;

function invitation(fields: Partial<InvitationRecord> = {}): InvitationRecord {
  return {
    id: id("inv"),
    targetType: "organization",
    targetId: "org",
    orgId: "org",
    invitee: { kind: "user", id: id("u") },
    role: "member",
    holdsSeat: true,
    status: "pending",
    invitedBy: "owner",
    createdAt: T0,
    expiresAt: later(7 * DAY),
    updatedAt: T0,
    ...fields,
  };
}

function auditDraft(fields: Partial<AuditDraft> = {}): AuditDraft {
  return { at: T0, principal: "key:admin", actor: "user:alice", action: "POST /v1/relationships", changes: [], objects: [], ...fields };
}

export function storeContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: Store;
    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await store?.close();
      await subject?.cleanup();
    });

    it("returns what was put, with optional fields left out when unset", async () => {
      const createdAt = new Date("2024-05-06T07:08:09.123Z");
      const org = id("org");
      await store.putObject({ kind: "organization", id: org, name: "Acme — Zürich 🚀", seatLimit: 5, createdAt });
      const project = id("project");
      await store.putObject({ kind: "project", id: project, createdAt });
      expect(await store.getObject("organization", org)).toEqual({ kind: "organization", id: org, name: "Acme — Zürich 🚀", seatLimit: 5, createdAt });
      const bare = await store.getObject("project", project);
      expect(bare).toEqual({ kind: "project", id: project, createdAt });
      expect(bare).not.toHaveProperty("name");
      expect(bare).not.toHaveProperty("seatLimit");
    });

    it("answers undefined for unknown objects and keeps kinds apart", async () => {
      const shared = id("same");
      await store.putObject({ kind: "group", id: shared, name: "a group", createdAt: new Date() });
      expect(await store.getObject("role", shared)).toBeUndefined();
      expect(await store.getObject("group", id("missing"))).toBeUndefined();
      expect((await store.getObject("group", shared))?.name).toBe("a group");
    });

    it("putObject replaces name and settings but keeps the creation time", async () => {
      const org = id("org");
      const first = new Date("2024-01-01T00:00:00.000Z");
      await store.putObject({ kind: "organization", id: org, name: "Before", seatLimit: 3, createdAt: first });
      await store.putObject({ kind: "organization", id: org, name: "After", createdAt: new Date("2025-01-01T00:00:00.000Z") });
      expect(await store.getObject("organization", org)).toEqual({ kind: "organization", id: org, name: "After", createdAt: first });
    });

    it("getObjects returns only the objects that exist, keyed by id", async () => {
      const a = id("res");
      const b = id("res");
      await store.putObject({ kind: "resource", id: a, name: "A", createdAt: new Date() });
      await store.putObject({ kind: "resource", id: b, name: "B", createdAt: new Date() });
      await store.putObject({ kind: "project", id: id("res"), name: "other kind", createdAt: new Date() });
      const found = await store.getObjects("resource", [a, id("missing"), b]);
      expect([...found.keys()].sort()).toEqual([a, b].sort());
      expect(found.get(a)?.name).toBe("A");
      expect((await store.getObjects("resource", [])).size).toBe(0);
    });

    it("deleteObject removes one object and ignores unknown ones", async () => {
      const keep = id("role");
      const gone = id("role");
      await store.putObject({ kind: "role", id: keep, name: "keep", createdAt: new Date() });
      await store.putObject({ kind: "role", id: gone, name: "gone", createdAt: new Date() });
      await store.deleteObject("role", gone);
      await store.deleteObject("role", id("never"));
      expect(await store.getObject("role", gone)).toBeUndefined();
      expect((await store.getObject("role", keep))?.name).toBe("keep");
    });

    it("serves concurrent writers without losing any", async () => {
      const ids = Array.from({ length: 40 }, () => id("c"));
      await Promise.all(ids.map((i, n) => store.putObject({ kind: "group", id: i, name: `g${n}`, createdAt: new Date() })));
      const found = await store.getObjects("group", ids);
      expect(found.size).toBe(ids.length);
    });

    it("returns an invitation as inserted, with optional fields left out when unset", async () => {
      const org = id("org");
      const full = invitation({ targetId: org, orgId: org, scopes: { members: "full" }, invitee: { kind: "email", id: "zoë@example.com" } });
      expect(await store.insertInvitation(full, { now: T0 })).toBe("created");
      expect(await store.getInvitation(full.id)).toEqual(full);
      const bare = invitation({ targetType: "project", targetId: id("p"), orgId: undefined, holdsSeat: false });
      delete bare.orgId;
      await store.insertInvitation(bare, { now: T0 });
      const read = await store.getInvitation(bare.id);
      expect(read).toEqual(bare);
      expect(read).not.toHaveProperty("orgId");
      expect(read).not.toHaveProperty("scopes");
      expect(await store.getInvitation(id("missing"))).toBeUndefined();
    });

    it("refuses a second live invitation for the same target and invitee; an expired one does not count", async () => {
      const org = id("org");
      const invitee = { kind: "user" as const, id: id("u") };
      expect(await store.insertInvitation(invitation({ targetId: org, orgId: org, invitee, expiresAt: later(DAY) }), { now: T0 })).toBe("created");
      expect(await store.insertInvitation(invitation({ targetId: org, orgId: org, invitee }), { now: T0 })).toBe("invitation_pending");
      // A day later the first has expired: a new one may be sent.
      expect(await store.insertInvitation(invitation({ targetId: org, orgId: org, invitee, createdAt: later(DAY) }), { now: later(DAY) })).toBe("created");
      // Another target, or another invitee, is another invitation.
      const other = id("org");
      expect(await store.insertInvitation(invitation({ targetId: other, orgId: other, invitee }), { now: T0 })).toBe("created");
    });

    it("keeps members plus live seat invitations within the seat limit, counting in the insert", async () => {
      const org = id("org");
      const seats = { seatLimit: 3, members: 1 };
      const outcomes = [];
      for (let i = 0; i < 3; i++) outcomes.push(await store.insertInvitation(invitation({ targetId: org, orgId: org }), { now: T0, seats }));
      expect(outcomes).toEqual(["created", "created", "seat_limit_reached"]);
      expect(await store.countSeatInvitations(org, T0)).toBe(2);
      // Invitations that hold no seat (project invitations) are not limited.
      expect(await store.insertInvitation(invitation({ targetType: "project", targetId: id("p"), orgId: org, holdsSeat: false }), { now: T0, seats })).toBe("created");
      // After expiry the seats are free again.
      expect(await store.countSeatInvitations(org, later(8 * DAY))).toBe(0);
      expect(await store.insertInvitation(invitation({ targetId: org, orgId: org, createdAt: later(8 * DAY), expiresAt: later(9 * DAY) }), { now: later(8 * DAY), seats })).toBe("created");
    });

    it("never overshoots the seat limit under concurrent inserts", async () => {
      const org = id("org");
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => store.insertInvitation(invitation({ targetId: org, orgId: org }), { now: T0, seats: { seatLimit: 5, members: 0 } })),
      );
      expect(outcomes.filter((o) => o === "created")).toHaveLength(5);
      expect(outcomes.filter((o) => o === "seat_limit_reached")).toHaveLength(15);
      expect(await store.countSeatInvitations(org, T0)).toBe(5);
    });

    it("moves an invitation only from the expected status, once, and not after expiry", async () => {
      const org = id("org");
      const inv = invitation({ targetId: org, orgId: org, expiresAt: later(DAY) });
      await store.insertInvitation(inv, { now: T0 });
      const claim = { from: ["pending" as const], to: "accepting" as const, at: later(1000), unexpiredAt: later(1000) };
      const [first, second] = await Promise.all([store.updateInvitation(inv.id, claim), store.updateInvitation(inv.id, claim)]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      expect((await store.getInvitation(inv.id))?.status).toBe("accepting");
      // A claim left behind (a crashed acceptance) can be taken over once it is stale.
      expect(await store.updateInvitation(inv.id, { ...claim, at: later(2000), staleClaimBefore: later(500) })).toBeUndefined();
      expect(await store.updateInvitation(inv.id, { ...claim, at: later(3000), staleClaimBefore: later(2500) })).toBeDefined();
      const done = await store.updateInvitation(inv.id, { from: ["accepting"], to: "accepted", at: later(4000), by: "bob" });
      expect(done).toMatchObject({ status: "accepted", respondedBy: "bob", updatedAt: later(4000) });
      expect(await store.updateInvitation(inv.id, { from: ["pending"], to: "declined", at: later(5000) })).toBeUndefined();
      // An expired invitation cannot be moved where expiry matters.
      const old = invitation({ targetId: org, orgId: org, expiresAt: later(DAY) });
      await store.insertInvitation(old, { now: T0 });
      expect(await store.updateInvitation(old.id, { from: ["pending"], to: "declined", at: later(2 * DAY), unexpiredAt: later(2 * DAY) })).toBeUndefined();
      expect((await store.getInvitation(old.id))?.status).toBe("pending");
    });

    it("lists a target's invitations by state, paged by creation time", async () => {
      const org = id("org");
      const made: InvitationRecord[] = [];
      for (let i = 0; i < 5; i++) {
        const inv = invitation({ targetId: org, orgId: org, createdAt: later(i), expiresAt: later(i === 4 ? 10 : DAY) });
        await store.insertInvitation(inv, { now: later(i) });
        made.push(inv);
      }
      await store.updateInvitation(made[1]!.id, { from: ["pending"], to: "revoked", at: later(100) });
      const now = later(1000);
      const ids = async (state?: "pending" | "revoked" | "expired") =>
        (await store.listInvitations({ targetType: "organization", targetId: org, state, now, limit: 10 })).map((i) => i.id);
      expect(await ids("pending")).toEqual([made[0]!.id, made[2]!.id, made[3]!.id]);
      expect(await ids("revoked")).toEqual([made[1]!.id]);
      expect(await ids("expired")).toEqual([made[4]!.id]);
      expect(await ids()).toEqual(made.map((i) => i.id));
      const first = await store.listInvitations({ targetType: "organization", targetId: org, now, limit: 2 });
      const rest = await store.listInvitations({ targetType: "organization", targetId: org, now, limit: 10, after: { createdAt: first[1]!.createdAt, id: first[1]!.id } });
      expect([...first, ...rest].map((i) => i.id)).toEqual(made.map((i) => i.id));
    });

    it("lists an invitee's pending invitations and ends a user's invitations in one organization", async () => {
      const [org, other] = [id("org"), id("org")];
      const user = id("u");
      const email = `${id("e")}@example.com`;
      const toOrg = invitation({ targetId: org, orgId: org, invitee: { kind: "user", id: user } });
      const toProject = invitation({ targetType: "project", targetId: id("p"), orgId: org, holdsSeat: false, invitee: { kind: "user", id: user } });
      const elsewhere = invitation({ targetId: other, orgId: other, invitee: { kind: "user", id: user } });
      const byEmail = invitation({ targetId: other, orgId: other, invitee: { kind: "email", id: email } });
      for (const inv of [toOrg, toProject, elsewhere, byEmail]) await store.insertInvitation(inv, { now: T0 });
      const mine = await store.listPendingInvitationsFor([{ kind: "user", id: user }, { kind: "email", id: email }], T0, 10);
      expect(mine.map((i) => i.id).sort()).toEqual([toOrg.id, toProject.id, elsewhere.id, byEmail.id].sort());
      expect(await store.endInvitationsOf(org, user, { at: later(1), by: "owner" })).toBe(2);
      expect((await store.getInvitation(toOrg.id))).toMatchObject({ status: "revoked", respondedBy: "owner" });
      expect((await store.getInvitation(toProject.id))?.status).toBe("revoked");
      expect((await store.getInvitation(elsewhere.id))?.status).toBe("pending");
    });

    it("ends the open invitations to a deleted organization (and its projects) or project; expired and answered ones stay", async () => {
      const [org, project, personal, other] = [id("org"), id("p"), id("p"), id("org")];
      const inOrg = { orgId: org, holdsSeat: false };
      const toOrg = invitation({ targetId: org, orgId: org });
      const toProject = invitation({ targetType: "project", targetId: project, ...inOrg });
      const claimed = invitation({ targetType: "project", targetId: project, ...inOrg, expiresAt: later(DAY) });
      const expired = invitation({ targetId: org, orgId: org, expiresAt: later(10) });
      const declined = invitation({ targetId: org, orgId: org });
      const toPersonal = invitation({ targetType: "project", targetId: personal, orgId: undefined, holdsSeat: false });
      const elsewhere = invitation({ targetId: other, orgId: other });
      for (const inv of [toOrg, toProject, claimed, expired, declined, toPersonal, elsewhere]) await store.insertInvitation(inv, { now: T0 });
      await store.updateInvitation(claimed.id, { from: ["pending"], to: "accepting", at: later(1) });
      await store.updateInvitation(declined.id, { from: ["pending"], to: "declined", at: later(1) });
      const at = later(2 * DAY);
      const statusOf = async (inv: InvitationRecord) => (await store.getInvitation(inv.id))?.status;

      expect(await store.endInvitationsTo({ type: "project", id: personal }, { at, by: "owner" })).toBe(1);
      expect(await statusOf(toPersonal)).toBe("revoked");
      expect(await statusOf(toOrg)).toBe("pending");
      // An organization's own invitations and its projects', claimed ones too; even past expiry a claim ends.
      expect(await store.endInvitationsTo({ type: "organization", id: org }, { at, by: "owner" })).toBe(3);
      expect(await store.getInvitation(toOrg.id)).toMatchObject({ status: "revoked", respondedBy: "owner", updatedAt: at });
      expect(await statusOf(toProject)).toBe("revoked");
      expect(await statusOf(claimed)).toBe("revoked");
      expect(await statusOf(expired)).toBe("pending");
      expect(await statusOf(declined)).toBe("declined");
      expect(await statusOf(elsewhere)).toBe("pending");
      expect(await store.countSeatInvitations(org, at)).toBe(0);
    });

    it("keeps object settings and an invitation's project access as written (rules 13-18)", async () => {
      const org = id("org");
      const createdAt = new Date("2024-01-01T00:00:00.000Z");
      await store.putObject({ kind: "organization", id: org, settings: { features: ["reports", "analytics"], customRoles: false }, createdAt });
      expect(await store.getObject("organization", org)).toEqual({ kind: "organization", id: org, settings: { features: ["reports", "analytics"], customRoles: false }, createdAt });
      await store.putObject({ kind: "organization", id: org, name: "Renamed", createdAt });
      expect(await store.getObject("organization", org)).not.toHaveProperty("settings");
      const projects = [{ project: "p1", role: "editor", scopes: { settings_members: "view", reports: "full" } }, { project: "p2", role: "role:auditor" }];
      const withAccess = invitation({ targetId: org, orgId: org, projects });
      await store.insertInvitation(withAccess, { now: T0 });
      expect(await store.getInvitation(withAccess.id)).toEqual(withAccess);
    });

    it("records when members joined and the e-mail they proved; forgets one or all of an organization", async () => {
      const [org, other] = [id("org"), id("org")];
      await store.putMember({ orgId: org, userId: "ann", joinedAt: T0 });
      await store.putMember({ orgId: org, userId: "bob", joinedAt: later(1), email: "bob@example.com" });
      await store.putMember({ orgId: other, userId: "ann", joinedAt: later(2) });
      expect([...(await store.listMembers(org)).values()].sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([
        { orgId: org, userId: "ann", joinedAt: T0 },
        { orgId: org, userId: "bob", joinedAt: later(1), email: "bob@example.com" },
      ]);
      // Joining again replaces the record.
      await store.putMember({ orgId: org, userId: "ann", joinedAt: later(5), email: "ann@example.com" });
      expect((await store.listMembers(org)).get("ann")).toEqual({ orgId: org, userId: "ann", joinedAt: later(5), email: "ann@example.com" });
      await store.deleteMembers(org, "bob");
      expect([...(await store.listMembers(org)).keys()]).toEqual(["ann"]);
      await store.deleteMembers(org);
      expect((await store.listMembers(org)).size).toBe(0);
      expect([...(await store.listMembers(other)).keys()]).toEqual(["ann"]);
    });

    it("keeps personal plans", async () => {
      const user = id("u");
      expect(await store.getPlan(user)).toBeUndefined();
      await store.setPlan(user, "scale", T0);
      expect(await store.getPlan(user)).toBe("scale");
      await store.setPlan(user, "starter", later(1));
      expect(await store.getPlan(user)).toBe("starter");
    });

    it("appends audit entries, commits or discards pending ones, and filters them newest first", async () => {
      const actor = `user:${id("a")}`;
      const object = `project:${id("p")}`;
      const change = { operation: "touch" as const, relationship: `${object}#viewer@user:bob`, expiresAt: "2031-01-01T00:00:00.000Z" };
      const first = await store.appendAudit(auditDraft({ actor, at: later(1), changes: [change], objects: [object, "user:bob"], detail: { n: 1 } }), "pending");
      await store.commitAudit(first, "token-1");
      const gone = await store.appendAudit(auditDraft({ actor, at: later(2), objects: [object] }), "pending");
      await store.discardAudit(gone);
      const second = await store.appendAudit(auditDraft({ actor, at: later(3), target: "schema", objects: ["schema"], zedToken: "token-3" }), "committed");
      const unconfirmed = await store.appendAudit(auditDraft({ actor, at: later(4), objects: [object] }), "pending");

      const byActor = await store.listAudit({ actor, limit: 10 });
      expect(byActor.map((e) => e.id)).toEqual([unconfirmed, second, first]);
      expect(byActor[2]).toMatchObject({ id: first, state: "committed", zedToken: "token-1", changes: [change], detail: { n: 1 }, principal: "key:admin", at: later(1) });
      expect(byActor[2]!.objects.sort()).toEqual([object, "user:bob"].sort());
      expect(byActor[0]).toMatchObject({ state: "pending" });
      expect(byActor[0]).not.toHaveProperty("zedToken");
      expect((await store.listAudit({ actor, object, limit: 10 })).map((e) => e.id)).toEqual([unconfirmed, first]);
      expect((await store.listAudit({ object: "user:bob", actor, limit: 10 })).map((e) => e.id)).toEqual([first]);
      expect((await store.listAudit({ actor, since: later(2), until: later(4), limit: 10 })).map((e) => e.id)).toEqual([second]);
      const page = await store.listAudit({ actor, limit: 2 });
      expect((await store.listAudit({ actor, limit: 2, before: page[1]!.id })).map((e) => e.id)).toEqual([first]);
    });

    it("reads documents back exactly as written, key order included (exports compare as text)", async () => {
      const actor = `user:${id("a")}`;
      const changes = [{ operation: "touch" as const, relationship: "resource:r#viewer@user:b", caveat: { name: "ip_allowlist", context: { zeta: 1, alpha: "x" } }, expiresAt: "2031-01-01T00:00:00.000Z" }];
      await store.appendAudit(auditDraft({ actor, changes, detail: { zeta: true, alpha: [2, 1] } }), "committed");
      const [entry] = await store.listAudit({ actor, limit: 1 });
      expect(JSON.stringify(entry!.changes)).toBe(JSON.stringify(changes));
      expect(JSON.stringify(entry!.detail)).toBe(JSON.stringify({ zeta: true, alpha: [2, 1] }));
      const org = id("org");
      const inv = invitation({ targetId: org, orgId: org, scopes: { projects: "full", billing: "view" } });
      await store.insertInvitation(inv, { now: T0 });
      expect(JSON.stringify((await store.getInvitation(inv.id))!.scopes)).toBe(JSON.stringify(inv.scopes));
    });

    it("records an audit entry in the same transaction as an invitation or plan change", async () => {
      const actor = `user:${id("a")}`;
      const org = id("org");
      const inv = invitation({ targetId: org, orgId: org });
      await store.insertInvitation(inv, { now: T0 }, auditDraft({ actor, action: "invite", objects: [`organization:${org}`] }));
      // Refused inserts and updates that match nothing record nothing.
      await store.insertInvitation({ ...inv, id: id("inv") }, { now: T0 }, auditDraft({ actor, action: "duplicate" }));
      await store.updateInvitation(inv.id, { from: ["pending"], to: "revoked", at: later(1) }, auditDraft({ actor, action: "revoke" }));
      await store.updateInvitation(inv.id, { from: ["pending"], to: "declined", at: later(2) }, auditDraft({ actor, action: "decline" }));
      await store.setPlan(id("u"), "scale", T0, auditDraft({ actor, action: "plan" }));
      expect((await store.listAudit({ actor, limit: 10 })).map((e) => e.action)).toEqual(["plan", "revoke", "invite"]);
    });
  });
}
