// Pins parseSchema: Accord's reading of SpiceDB schema text (definitions, relation types,
// permission expressions with SpiceDB's precedence, arrows, caveats skipped) on schema.zed and
// on the grammar's corners, and that it refuses what it cannot read instead of guessing.
import { describe, expect, it } from "vitest";
import { parseSchema } from "../../src/engine/schema/parse-schema.js";
import { memberKind } from "../../src/engine/schema/schema-model.js";
import { SCHEMA } from "../support/test-server.js";

describe("parseSchema", () => {
  it("reads every definition, relation and permission of schema.zed", () => {
    const schema = parseSchema(SCHEMA);
    expect([...schema.definitions.keys()]).toEqual(["user", "organization", "group", "role", "role_binding", "project", "project_feature", "workspace", "folder", "resource"]);
    expect(schema.definitions.get("folder")!.relations.get("parent")!.allowed).toEqual([{ type: "workspace" }, { type: "folder" }]);
    expect(schema.caveats).toEqual(new Set(["ip_allowlist"]));
    expect(memberKind(schema, "project", "viewer")).toBe("relation");
    expect(memberKind(schema, "project", "view")).toBe("permission");
    expect(memberKind(schema, "project", "nope")).toBeUndefined();
    expect(schema.definitions.get("project")!.relations.get("viewer")!.allowed).toEqual([
      { type: "user" },
      { type: "user", expiration: true },
      { type: "group", relation: "member" },
      { type: "group", relation: "member", expiration: true },
    ]);
    expect(schema.definitions.get("resource")!.relations.get("viewer")!.allowed).toContainEqual({ type: "user", caveat: "ip_allowlist" });
    expect(schema.definitions.get("role")!.relations.get("perm_view")!.allowed).toEqual([{ type: "user", wildcard: true }]);
    expect(schema.definitions.get("group")!.permissions.get("member")).toEqual({
      op: "intersection",
      children: [{ op: "ref", name: "direct_member" }, { op: "arrow", tupleset: "organization", target: "view" }],
    });
  });

  it("binds arrow tightest, then +, then &, then - (SpiceDB's order), and ends statements at newlines", () => {
    const schema = parseSchema(`
      definition user {}
      definition doc {
        relation a: user
        relation b: user | doc#a | user:* with expiration
        relation parent: doc
        permission p = a + b & a - b
        permission q = parent.all(p) + parent.any(q) - nil
        permission r = (a - b) &
          parent->p
      }`);
    const doc = schema.definitions.get("doc")!;
    const ref = (name: string) => ({ op: "ref", name });
    expect(doc.permissions.get("p")).toEqual({ op: "exclusion", children: [{ op: "intersection", children: [{ op: "union", children: [ref("a"), ref("b")] }, ref("a")] }, ref("b")] });
    expect(doc.permissions.get("q")).toEqual({
      op: "exclusion",
      children: [{ op: "union", children: [{ op: "arrow", tupleset: "parent", target: "p", all: true }, { op: "arrow", tupleset: "parent", target: "q" }] }, { op: "nil" }],
    });
    expect(doc.permissions.get("r")).toEqual({ op: "intersection", children: [{ op: "exclusion", children: [ref("a"), ref("b")] }, { op: "arrow", tupleset: "parent", target: "p" }] });
    expect(doc.relations.get("b")!.allowed).toEqual([{ type: "user" }, { type: "doc", relation: "a" }, { type: "user", wildcard: true, expiration: true }]);
  });

  it("skips caveat bodies (CEL) and comments", () => {
    const schema = parseSchema(`
      /* a block comment */
      caveat in_hours(now timestamp, allowed map<any>) {
        now.getHours() >= 9 && now.getHours() < 17 && {"a": 1}.size() > 0
      }
      // a line comment
      definition user {}`);
    expect(schema.caveats).toEqual(new Set(["in_hours"]));
    expect([...schema.definitions.keys()]).toEqual(["user"]);
  });

  it("refuses what it cannot read", () => {
    expect(() => parseSchema("definition doc { relation : user }")).toThrow(/expected a name/);
    expect(() => parseSchema("definition doc { permission p = + }")).toThrow(/expected an expression/);
    expect(() => parseSchema("defnition doc {}")).toThrow(/expected definition/);
    expect(() => parseSchema("definition doc { relation a: user ")).toThrow(/unexpected end/);
  });
});
