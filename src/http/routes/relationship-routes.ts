// relationship-routes: raw relationship and schema administration (scope `admin`).
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import type { Precondition, RelationshipFilter, RelationshipUpdate } from "../../engine/engine.js";
import { requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { formatRelationship } from "../../engine/relationship-text.js";
import { CaveatContext, ConsistencyQuery, consistencyOfQuery, Cursor, Limit, RelationName, RelationshipString, TypeName, parse } from "../validation.js";

const ObjectId = z.string().regex(/^[a-zA-Z0-9/_|\-=+]{1,1024}$/, "must be an object id");

const FilterFields = z
  .object({
    resourceType: TypeName,
    resourceId: ObjectId.optional(),
    relation: RelationName.optional(),
    subjectType: TypeName.optional(),
    subjectId: ObjectId.optional(),
    subjectRelation: RelationName.optional(),
  })
  .strict();

const subjectTypeGiven = (f: { subjectType?: string; subjectId?: string; subjectRelation?: string }) =>
  !(f.subjectId || f.subjectRelation) || Boolean(f.subjectType);
const SUBJECT_TYPE_REQUIRED = { message: "subjectType is required with subjectId or subjectRelation", path: ["subjectType"] };

const Filter = FilterFields.refine(subjectTypeGiven, SUBJECT_TYPE_REQUIRED);

type FilterInput = z.infer<typeof Filter>;

function toFilter(f: Partial<FilterInput>): RelationshipFilter {
  const filter: RelationshipFilter = {};
  if (f.resourceType) filter.resourceType = f.resourceType;
  if (f.resourceId) filter.resourceId = f.resourceId;
  if (f.relation) filter.relation = f.relation;
  if (f.subjectType) {
    filter.subject = { type: f.subjectType };
    if (f.subjectId) filter.subject.id = f.subjectId;
    if (f.subjectRelation) filter.subject.relation = f.subjectRelation;
  }
  return filter;
}

const ReadQuery = FilterFields.partial({ resourceType: true })
  .extend({ cursor: Cursor.optional(), limit: Limit(1000).default(100), ...ConsistencyQuery })
  .strict()
  .refine(subjectTypeGiven, SUBJECT_TYPE_REQUIRED);

const Update = z
  .object({
    operation: z.enum(["touch", "create", "delete"]),
    relationship: RelationshipString,
    caveat: z.object({ name: RelationName, context: CaveatContext.optional() }).strict().optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

const PreconditionInput = z.object({ operation: z.enum(["must_exist", "must_not_exist"]), filter: Filter }).strict();

const WriteBody = z
  .object({ updates: z.array(Update).min(1).max(1000), preconditions: z.array(PreconditionInput).max(100).optional() })
  .strict();

const DeleteBody = z.object({ filter: Filter, preconditions: z.array(PreconditionInput).max(100).optional() }).strict();

const toPreconditions = (list: z.infer<typeof PreconditionInput>[] | undefined): Precondition[] | undefined =>
  list?.map((p) => ({ operation: p.operation, filter: toFilter(p.filter) }));

const ValidateBody = z
  .object({ yaml: z.string().min(1).max(1_000_000).optional(), schema: z.string().min(1).max(1_000_000).optional() })
  .strict()
  .refine((b) => (b.yaml === undefined) !== (b.schema === undefined), { message: "give exactly one of yaml or schema", path: ["yaml"] });

/** relationshipRouteDocs documents these routes in /openapi.json from the schemas above. */
export function relationshipRouteDocs(): RouteDoc[] {
  const tag = "Relationships and schema";
  return [
    { method: "get", path: "/v1/relationships", tag, scope: "admin", summary: "Read relationships matching a filter (paged)", query: ReadQuery },
    {
      method: "post",
      path: "/v1/relationships",
      tag,
      scope: "admin",
      summary: "Write relationships atomically (touch, create, delete), after preconditions",
      body: WriteBody,
      example: {
        updates: [
          { operation: "touch", relationship: "project:apollo#viewer@user:bob", expiresAt: "2030-01-01T00:00:00Z" },
          { operation: "touch", relationship: "resource:sensor#viewer@user:gus", caveat: { name: "ip_allowlist", context: { allowed_cidr: "10.0.0.0/8" } } },
        ],
        preconditions: [{ operation: "must_not_exist", filter: { resourceType: "project", resourceId: "apollo", relation: "guest" } }],
      },
    },
    { method: "delete", path: "/v1/relationships", tag, scope: "admin", summary: "Delete every relationship matching a filter, atomically", body: DeleteBody, example: { filter: { resourceType: "project", resourceId: "apollo", relation: "viewer" } } },
    { method: "get", path: "/v1/schema", tag, scope: "admin", summary: "Read the schema" },
    { method: "put", path: "/v1/schema", tag, scope: "admin", summary: "Replace the schema (refused with 409 when it would orphan relationships)", body: SchemaBody, example: { schema: "definition user {}" } },
    { method: "post", path: "/v1/schema/validate", tag, scope: "admin", summary: "Validate a validation file (zed format) or a schema; the findings of `accord validate --json`", body: ValidateBody, example: { schema: "definition user {}\ndefinition doc {\n  relation reader: user\n}" } },
  ];
}

const SchemaBody = z.object({ schema: z.string().min(1).max(1_000_000) }).strict();

export function relationshipRoutes(useCases: UseCases): Router {
  const router = Router();
  router.use("/v1/relationships", requireScope("admin"));
  router.use("/v1/schema", requireScope("admin"));

  router.get("/v1/relationships", async (req, res) => {
    const { cursor, limit, consistency, atLeastAsFresh, ...filter } = parse(ReadQuery, req.query, "query");
    const page = await useCases.readRelationships.execute({ filter: toFilter(filter), limit, cursor, consistency: consistencyOfQuery({ consistency, atLeastAsFresh }) });
    res.json({
      relationships: page.relationships.map((r) => ({
        relationship: formatRelationship(r),
        ...(r.caveat ? { caveat: r.caveat } : {}),
        ...(r.expiresAt ? { expiresAt: r.expiresAt.toISOString() } : {}),
      })),
      ...(page.cursor ? { cursor: page.cursor } : {}),
      zedToken: page.zedToken,
    });
  });

  router.post("/v1/relationships", async (req, res) => {
    const body = parse(WriteBody, req.body);
    const updates: RelationshipUpdate[] = body.updates.map((u) => ({
      operation: u.operation,
      relationship: {
        ...u.relationship,
        ...(u.caveat ? { caveat: u.caveat } : {}),
        ...(u.expiresAt ? { expiresAt: new Date(u.expiresAt) } : {}),
      },
    }));
    res.json(await useCases.writeRelationships.execute({ updates, preconditions: toPreconditions(body.preconditions) }));
  });

  router.delete("/v1/relationships", async (req, res) => {
    const body = parse(DeleteBody, req.body);
    res.json(await useCases.deleteRelationships.execute({ filter: toFilter(body.filter), preconditions: toPreconditions(body.preconditions) }));
  });

  router.get("/v1/schema", async (_req, res) => {
    res.json({ schema: await useCases.readSchema.execute() });
  });

  router.post("/v1/schema/validate", async (req, res) => {
    const body = parse(ValidateBody, req.body);
    const input = body.yaml !== undefined ? { name: "validation.yaml", text: body.yaml } : { name: "schema.zed", text: body.schema! };
    res.json(await useCases.validateSchema.execute(input));
  });

  router.put("/v1/schema", async (req, res) => {
    const body = parse(SchemaBody, req.body);
    res.json(await useCases.writeSchema.execute(body));
  });

  return router;
}
