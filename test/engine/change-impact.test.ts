// Pins what a relationship change can alter, read from the schema (the cache drops exactly
// these answers): pairs reached through unions, intersections, exclusions, arrows and
// usersets, narrowed to the subject for a plain-object subject and to the resource for a
// relation read within its object only.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { affects, ImpactRules } from "../../src/engine/cache/change-impact.js";
import { parseSchema } from "../../src/engine/schema/parse-schema.js";

const SECOND = readFileSync(join(import.meta.dirname, "..", "cache-model", "second-schema.zed"), "utf8");
const rules = new ImpactRules(parseSchema(SECOND));
const user = (id: string) => ({ type: "user", id });
const obj = (type: string, id = "x") => ({ type, id });
const pairsOf = (impact: ReturnType<ImpactRules["ofRelationship"]>) => (impact.pairs === "all" ? "all" : [...impact.pairs].sort());

describe("change impact", () => {
  it("a plain subject on a relation no arrow walks: only that subject, only the pairs that read the relation", () => {
    const impact = rules.ofRelationship(obj("folder"), "blocked", user("u"));
    expect(impact.subject).toBe("user:u");
    // view excludes blocked; doc reads folder->view in an intersection (review, read); edit never reads it.
    expect(pairsOf(impact)).toEqual(["doc#read", "doc#review", "folder#blocked", "folder#view"]);
    expect(affects(impact, "folder#view", user("u"))).toBe(true);
    expect(affects(impact, "folder#view", user("v"))).toBe(false);
    expect(affects(impact, "folder#edit", user("u"))).toBe(false);
  });

  it("the subtracted side of an exclusion counts: team#banned reaches everything team#active feeds, doc#edit through reviewer", () => {
    const impact = rules.ofRelationship(obj("team"), "banned", user("u"));
    expect(pairsOf(impact)).toEqual(["doc#edit", "doc#read", "doc#review", "doc#reviewer", "folder#view", "folder#viewer", "team#active", "team#banned"]);
    expect(impact.subject).toBe("user:u");
  });

  it("a wildcard subject reaches every subject of its type, and no other type", () => {
    const impact = rules.ofRelationship(obj("folder"), "viewer", { type: "user", id: "*" });
    expect(impact.subject).toBeUndefined();
    expect(impact.subjectType).toBe("user");
    expect(affects(impact, "folder#view", user("anyone"))).toBe(true);
    expect(affects(impact, "folder#view", { type: "team", id: "t", relation: "member" })).toBe(false);
  });

  it("a userset subject reaches any subject of the pairs it can reach", () => {
    const impact = rules.ofRelationship(obj("folder"), "viewer", { type: "team", id: "t", relation: "member" });
    expect(impact.subject).toBeUndefined();
    expect(impact.subjectType).toBeUndefined();
    expect(affects(impact, "doc#read", user("x"))).toBe(true);
    expect(affects(impact, "doc#edit", user("x"))).toBe(false);
  });

  it("a relation an arrow walks (folder#parent, doc#folder) reaches any subject, through the arrow's targets", () => {
    const parent = rules.ofRelationship(obj("folder"), "parent", { type: "folder", id: "f" });
    expect(parent.subject).toBeUndefined();
    expect(pairsOf(parent)).toEqual(["doc#edit", "doc#read", "doc#review", "folder#edit", "folder#parent", "folder#view"]);
    const folder = rules.ofRelationship(obj("doc"), "folder", { type: "folder", id: "f" });
    expect(pairsOf(folder)).toEqual(["doc#edit", "doc#folder", "doc#read", "doc#review"]);
  });

  it("nested usersets: team#member (which holds team#member) reaches the folders and docs that name the team", () => {
    const impact = rules.ofRelationship(obj("team"), "member", user("u"));
    expect(impact.subject).toBe("user:u");
    expect(pairsOf(impact)).toEqual(["doc#allowed", "doc#edit", "doc#read", "doc#review", "doc#reviewer", "folder#view", "folder#viewer", "team#active", "team#member"]);
  });

  it("a relation read within its object only (doc#reviewer, doc#allowed, doc#folder): only answers on that resource", () => {
    const impact = rules.ofRelationship(obj("doc", "d1"), "reviewer", user("u"));
    expect(impact.resource).toBe("doc:d1");
    expect(impact.subject).toBe("user:u");
    expect(affects(impact, "doc#review", user("u"), obj("doc", "d1"))).toBe(true);
    expect(affects(impact, "doc#review", user("u"), obj("doc", "d2"))).toBe(false);
    expect(affects(impact, "doc#review", user("v"), obj("doc", "d1"))).toBe(false);
    // A subject set (no resource named) of that subject and pair is reached.
    expect(affects(impact, "doc#review", user("u"))).toBe(true);
    // The arrow's tupleset: any subject, still only that doc.
    const folder = rules.ofRelationship(obj("doc", "d1"), "folder", { type: "folder", id: "f" });
    expect(folder.subject).toBeUndefined();
    expect(folder.resource).toBe("doc:d1");
    expect(affects(folder, "doc#read", user("anyone"), obj("doc", "d1"))).toBe(true);
    expect(affects(folder, "doc#read", user("anyone"), obj("doc", "d2"))).toBe(false);
    // A wildcard on doc#public: every user, that doc.
    const pub = rules.ofRelationship(obj("doc", "d1"), "public", { type: "user", id: "*" });
    expect(pub).toMatchObject({ subjectType: "user", resource: "doc:d1" });
  });

  it("a relation read from other objects (through an arrow's target or a userset) is not narrowed to its resource", () => {
    // folder#viewer feeds folder#view, which folder->view (doc) and parent->view (folder) read.
    expect(rules.ofRelationship(obj("folder", "f"), "viewer", user("u")).resource).toBeUndefined();
    expect(rules.ofRelationship(obj("folder", "f"), "parent", { type: "folder", id: "g" }).resource).toBeUndefined();
    // team#banned feeds team#active, which folder#viewer and doc#reviewer name as a userset.
    expect(rules.ofRelationship(obj("team", "t"), "banned", user("u")).resource).toBeUndefined();
  });

  it("a delete by filter reaches every relation of the type it names, for any subject; no type: everything", () => {
    const impact = rules.ofFilter({ resourceType: "doc", resourceId: "d" });
    expect(impact.subject).toBeUndefined();
    expect(pairsOf(impact)).toEqual(["doc#allowed", "doc#edit", "doc#folder", "doc#public", "doc#read", "doc#review", "doc#reviewer"]);
    expect(rules.ofFilter({ resourceType: "doc", relation: "public" }).pairs).toEqual(new Set(["doc#public", "doc#read"]));
    expect(rules.ofFilter({}).pairs).toBe("all");
    // Every doc relation is read within the doc: a filter naming one doc reaches that doc only.
    expect(impact.resource).toBe("doc:d");
    expect(rules.ofFilter({ resourceType: "doc" }).resource).toBeUndefined();
    expect(rules.ofFilter({ resourceType: "folder", resourceId: "f" }).resource).toBeUndefined();
  });

  it("a relation the schema does not know drops everything", () => {
    expect(rules.ofRelationship(obj("nope"), "x", user("u")).pairs).toBe("all");
  });
});
