// Pins describe-grant: check traces read into product terms (pure logic, no engine).
import { describe, expect, it } from "vitest";
import type { CheckTrace } from "../src/engine/engine.js";
import { describeGrant, describeTrace, grantsOf } from "../src/domain/access/describe-grant.js";
import { grantPath } from "../src/domain/access/explain-permission.js";

const BOB = { type: "user", id: "bob" };

/** t builds a trace node: "type:id#permission", kind, result, children. */
function t(node: string, kind: "relation" | "permission", result: CheckTrace["result"], children: CheckTrace[] = [], caveat?: string): CheckTrace {
  const [, type, id, permission] = /^(\w+):([^#]+)#(\w+)$/.exec(node)!;
  return { resource: { type: type!, id: id! }, permission: permission!, kind, subject: BOB, result, children, ...(caveat ? { caveat } : {}) };
}
const orgView = (org: string) => t(`organization:${org}#view`, "permission", "allowed", [t(`organization:${org}#member`, "relation", "allowed")]);
const groupMember = (g: string) => t(`group:${g}#member`, "permission", "allowed", [t(`group:${g}#direct_member`, "relation", "allowed"), orgView("acme")]);

describe("describeTrace", () => {
  it("a built-in role through a group", () => {
    const trace = t("project:p1#edit", "permission", "allowed", [
      t("project:p1#manager", "relation", "denied"),
      t("project:p1#editor", "relation", "allowed", [groupMember("eng")]),
    ]);
    expect(describeTrace(trace)).toEqual(["editor through group eng on project p1"]);
    expect(grantsOf(trace)).toEqual([{ kind: "group", project: "p1", group: "eng", role: "editor" }]);
  });

  it("a direct role, and the organization bypass", () => {
    expect(describeTrace(t("project:p1#view", "permission", "allowed", [t("project:p1#viewer", "relation", "allowed")]))).toEqual(["viewer of project p1"]);
    const bypass = t("project:p1#admin_bypass", "permission", "allowed", [
      t("project:p1#admin", "relation", "denied"),
      t("organization:acme#admin_bypass", "permission", "allowed", [t("organization:acme#owner", "relation", "denied"), t("organization:acme#admin", "relation", "allowed")]),
    ]);
    expect(describeTrace(bypass)).toEqual(["admin of organization acme (bypass)"]);
  });

  it("custom roles, held directly or through a group", () => {
    const direct = t("project:p1#view", "permission", "allowed", [
      t("role_binding:p1|auditor#view", "permission", "allowed", [t("role_binding:p1|auditor#holder", "relation", "allowed"), t("role:auditor#perm_view", "relation", "allowed")]),
    ]);
    expect(describeTrace(direct)).toEqual(["custom role auditor on project p1"]);
    expect(grantsOf(direct)).toEqual([{ kind: "custom_role", project: "p1", role: "role:auditor" }]);
    const viaGroup = t("role_binding:p1|auditor#view", "permission", "allowed", [
      t("role_binding:p1|auditor#holder", "relation", "allowed", [groupMember("ops")]),
      t("role:auditor#perm_view", "relation", "allowed"),
    ]);
    expect(describeTrace(viaGroup)).toEqual(["custom role auditor through group ops on project p1"]);
  });

  it("resources: a direct grant, a caveated one, and what comes from the project", () => {
    expect(describeTrace(t("resource:r1#view", "permission", "allowed", [t("resource:r1#viewer", "relation", "allowed")]))).toEqual(["viewer of resource r1"]);
    const caveated = t("resource:r1#view", "permission", "conditional", [t("resource:r1#viewer", "relation", "conditional", [], "ip_allowlist")]);
    expect(describeTrace(caveated)).toEqual(["viewer of resource r1 (while ip_allowlist holds)"]);
    const inherited = t("resource:r1#view", "permission", "allowed", [
      t("resource:r1#viewer", "relation", "denied"),
      t("project:p1#view", "permission", "allowed", [t("project:p1#admin_bypass", "permission", "allowed", [t("project:p1#owner_user", "relation", "allowed")])]),
    ]);
    expect(describeTrace(inherited)).toEqual(["owner of personal project p1"]);
  });

  it("organization roles and scopes, group membership, and several reasons at once without repeats", () => {
    const scoped = t("organization:acme#view_members", "permission", "allowed", [
      t("organization:acme#admin_bypass", "permission", "denied"),
      t("organization:acme#view_members", "permission", "allowed", [t("organization:acme#members_view", "relation", "allowed"), t("organization:acme#member", "relation", "allowed")]),
    ]);
    expect(describeTrace(scoped)).toEqual(["view members scope in organization acme", "member of organization acme"]);
    expect(describeTrace(groupMember("eng"))).toEqual(["member of group eng"]);
    const nested = t("group:eng#member", "permission", "allowed", [t("group:eng#direct_member", "relation", "allowed", [groupMember("core")]), orgView("acme")]);
    expect(describeTrace(nested)).toEqual(["member of group eng through group core"]);
    const twice = t("project:p1#view", "permission", "allowed", [
      t("project:p1#viewer", "relation", "allowed"),
      t("project:p1#viewer", "relation", "allowed"),
      t("project:p1#editor", "relation", "allowed", [groupMember("eng"), groupMember("qa")]),
    ]);
    expect(describeTrace(twice)).toEqual(["viewer of project p1", "editor through group eng on project p1", "editor through group qa on project p1"]);
  });

  it("lists grants in one order, whatever order the engine's trace gives its branches (the project's own role before the organization's bypass)", () => {
    const direct = t("project:p1#admin", "relation", "allowed");
    const bypass = t("project:p1#admin_bypass", "permission", "allowed", [
      t("organization:acme#admin_bypass", "permission", "allowed", [t("organization:acme#owner", "relation", "allowed")]),
    ]);
    const expected = ["admin of project p1", "owner of organization acme (bypass)"];
    expect(describeTrace(t("project:p1#comment", "permission", "allowed", [direct, bypass]))).toEqual(expected);
    expect(describeTrace(t("project:p1#comment", "permission", "allowed", [bypass, direct]))).toEqual(expected);
    const groups = (first: string, second: string) => t("project:p1#view", "permission", "allowed", [t("project:p1#viewer", "relation", "allowed", [groupMember(first), groupMember(second)])]);
    expect(describeTrace(groups("qa", "eng"))).toEqual(describeTrace(groups("eng", "qa")));
  });

  it("nothing when denied or without a trace; an unknown shape falls back to the relationship", () => {
    expect(describeTrace(undefined)).toEqual([]);
    expect(describeTrace(t("project:p1#view", "permission", "denied", [t("project:p1#viewer", "relation", "denied")]))).toEqual([]);
    expect(describeTrace(t("document:d1#reader", "relation", "allowed"))).toEqual(["relationship document:d1#reader@user:bob"]);
    expect(describeGrant({ kind: "org_bypass", organization: "acme", orgRole: "owner" })).toBe("owner of organization acme (bypass)");
  });

  it("rule 15: a removed member's steps under an allowed `removed` sibling did not grant (SpiceDB flattens the exclusion)", () => {
    const removedAdmin = t("project:p1#view", "permission", "allowed", [
      t("project:p1#manager", "relation", "denied"),
      t("project:p1#viewer", "relation", "allowed", [groupMember("eng")]),
      t("project:p1#removed", "relation", "allowed"),
      t("project:p1#admin_bypass", "permission", "allowed", [
        t("project:p1#admin", "relation", "denied"),
        t("organization:acme#admin_bypass", "permission", "allowed", [t("organization:acme#admin", "relation", "allowed")]),
      ]),
    ]);
    expect(describeTrace(removedAdmin)).toEqual(["admin of organization acme (bypass)"]);
    expect(grantPath(removedAdmin).map((s) => s.node)).toEqual(["project:p1#view", "project:p1#admin_bypass", "organization:acme#admin_bypass", "organization:acme#admin"]);
    const content = t("folder:f1#view", "permission", "allowed", [
      t("folder:f1#content_view", "permission", "allowed", [t("folder:f1#viewer", "relation", "allowed")]),
      t("project:p1#removed", "relation", "allowed"),
      t("project:p1#view", "permission", "allowed", [t("project:p1#admin_bypass", "permission", "allowed", [t("project:p1#owner_user", "relation", "allowed")])]),
    ]);
    expect(describeTrace(content)).toEqual(["owner of personal project p1"]);
  });
});
