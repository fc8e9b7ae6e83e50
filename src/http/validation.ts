// validation: zod schemas for the shapes every route shares (object references, consistency,
// relationship strings) and `parse`, which turns a zod failure into a 400 naming the field.
import { z } from "zod";
import { invalidRequest } from "../domain/errors.js";
import type { Consistency, ObjectRef, Relationship, SubjectRef } from "../engine/engine.js";

// SpiceDB's own grammar for definition names and object ids.
const TYPE = "[a-z][a-z0-9_]{1,62}[a-z0-9]";
const ID = "[a-zA-Z0-9/_|\\-=+]{1,1024}";
const RELATION = "[a-z][a-z0-9_]{1,62}[a-z0-9]";

export const TYPE_PATTERN = new RegExp(`^${TYPE}$`);
export const RELATION_PATTERN = new RegExp(`^${RELATION}$`);
const OBJECT_PATTERN = new RegExp(`^(${TYPE}):(${ID})$`);
const SUBJECT_PATTERN = new RegExp(`^(${TYPE}):(${ID}|\\*)(?:#(${RELATION}))?$`);
const RELATIONSHIP_PATTERN = new RegExp(`^(${TYPE}):(${ID})#(${RELATION})@(${TYPE}):(${ID}|\\*)(?:#(${RELATION}))?$`);

/** ProductId is the id grammar of product endpoints (docs/api.md). */
export const ProductId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must match [A-Za-z0-9_-]{1,128}");

const TYPED_ID = /^(?:([a-z][a-z0-9_]{0,62}):)?([A-Za-z0-9_-]{1,128})$/;

/**
 * TypedId reads a reference to an object of one type, bare (`p1`) or typed (`project:p1`), to its
 * id (rule 18). A reference of another type (`organization:p1` where a project is expected) or an
 * id outside the product grammar is a 400 naming the field. Every route takes its typed path
 * parameters and body fields through it.
 */
export const TypedId = (type: string) =>
  z
    .string()
    .max(300)
    .superRefine((text, ctx) => {
      const match = TYPED_ID.exec(text);
      if (!match) ctx.addIssue({ code: "custom", message: `must be a ${type} id or ${type}:<id> (ids match [A-Za-z0-9_-]{1,128})` });
      else if (match[1] !== undefined && match[1] !== type) ctx.addIssue({ code: "custom", message: `must reference a ${type} (${type}:<id> or a bare id), not ${text}` });
    })
    .transform((text) => TYPED_ID.exec(text)?.[2] ?? text);

export const ObjectRefString = z
  .string()
  .max(1200)
  .regex(OBJECT_PATTERN, "must be an object reference like project:p1")
  .transform((s): ObjectRef => {
    const m = OBJECT_PATTERN.exec(s)!;
    return { type: m[1]!, id: m[2]! };
  });

export const SubjectRefString = z
  .string()
  .max(1300)
  .regex(SUBJECT_PATTERN, "must be a subject reference like user:alice or group:eng#member")
  .transform((s): SubjectRef => {
    const m = SUBJECT_PATTERN.exec(s)!;
    return m[3] ? { type: m[1]!, id: m[2]!, relation: m[3] } : { type: m[1]!, id: m[2]! };
  });

export const RelationshipString = z
  .string()
  .max(2600)
  .regex(RELATIONSHIP_PATTERN, "must be a relationship like project:p1#viewer@user:bob")
  .transform((s): Relationship => {
    const m = RELATIONSHIP_PATTERN.exec(s)!;
    const subject: SubjectRef = { type: m[4]!, id: m[5]! };
    if (m[6]) subject.relation = m[6];
    return { resource: { type: m[1]!, id: m[2]! }, relation: m[3]!, subject };
  });

export const TypeName = z.string().regex(TYPE_PATTERN, "must be a definition name like project");
export const RelationName = z.string().regex(RELATION_PATTERN, "must be a relation or permission name like view");

/** MAX_CONTEXT_DEPTH bounds nesting: the protobuf Struct conversion recurses per level. */
export const MAX_CONTEXT_DEPTH = 32;

/** nestingDepth measures a JSON value's depth without recursing, stopping past `limit`. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export const CaveatContext = z
  .record(z.string().max(128), z.unknown())
  // abort: the size check below serialises recursively, which a very deep value would overflow.
  .refine((o) => nestingDepth(o, MAX_CONTEXT_DEPTH) <= MAX_CONTEXT_DEPTH, { message: `context is nested more than ${MAX_CONTEXT_DEPTH} levels deep`, abort: true })
  .refine((o) => JSON.stringify(o).length <= 16_384, "context is too large");

export const ConsistencyInput = z
  .union([
    z.literal("minimize_latency"),
    z.literal("full"),
    z.object({ atLeastAsFresh: z.string().min(1).max(1024) }).strict(),
  ])
  .optional()
  .transform((c): Consistency | undefined => {
    if (c === undefined) return undefined;
    if (c === "minimize_latency") return { kind: "minimize_latency" };
    if (c === "full") return { kind: "full" };
    return { kind: "at_least_as_fresh", token: c.atLeastAsFresh };
  });

/** ConsistencyQuery is the query-string form of ConsistencyInput: ?consistency=full|minimize_latency or ?atLeastAsFresh=<zedToken>. */
export const ConsistencyQuery = {
  consistency: z.enum(["minimize_latency", "full"]).optional(),
  atLeastAsFresh: z.string().min(1).max(1024).optional(),
};

/** consistencyOfQuery reads ConsistencyQuery's fields (atLeastAsFresh wins when both are given). */
export function consistencyOfQuery(query: { consistency?: "minimize_latency" | "full"; atLeastAsFresh?: string }): Consistency | undefined {
  if (query.atLeastAsFresh) return { kind: "at_least_as_fresh", token: query.atLeastAsFresh };
  return query.consistency ? { kind: query.consistency } : undefined;
}

export const Cursor = z.string().min(1).max(4096);
export const Limit = (max: number) => z.coerce.number().int().min(1).max(max);

/** parse validates input against a schema; the first issue becomes a 400 naming its field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, where = "body"): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join(".");
  const field = path ? (where === "body" ? path : `${where}.${path}`) : where;
  throw invalidRequest(`${field}: ${issue.message}`, field);
}
