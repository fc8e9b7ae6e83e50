// permission-routes: the hot path for backend services (scope `check`): check, bulk check,
// lookups and explain. Routes only parse, call one use-case and map.
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import { requireKey, requireScope, requireSelf } from "../guards.js";
import type { Metrics } from "../metrics.js";
import type { CheckAnswer } from "../../domain/permissions/check-permission.js";
import type { SubjectRef } from "../../engine/engine.js";
import type { RouteDoc } from "../openapi.js";
import {
  CaveatContext,
  ConsistencyInput,
  Cursor,
  ObjectRefString,
  RelationName,
  SubjectRefString,
  TypeName,
  parse,
} from "../validation.js";

const CheckBody = z
  .object({
    resource: ObjectRefString,
    permission: RelationName,
    subject: SubjectRefString,
    context: CaveatContext.optional(),
    consistency: ConsistencyInput,
  })
  .strict();

const BulkItem = z
  .object({ resource: ObjectRefString, permission: RelationName, subject: SubjectRefString, context: CaveatContext.optional() })
  .strict();

const LookupResourcesBody = z
  .object({
    resourceType: TypeName,
    permission: RelationName,
    subject: SubjectRefString,
    context: CaveatContext.optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    cursor: Cursor.optional(),
    consistency: ConsistencyInput,
  })
  .strict();

const LookupSubjectsBody = z
  .object({
    resource: ObjectRefString,
    permission: RelationName,
    subjectType: TypeName,
    subjectRelation: RelationName.optional(),
    context: CaveatContext.optional(),
    consistency: ConsistencyInput,
  })
  .strict();

const ExplainBody = z
  .object({ resource: ObjectRefString, permission: RelationName, subject: SubjectRefString, context: CaveatContext.optional(), consistency: ConsistencyInput })
  .strict();

const checkExample = { resource: "resource:dashboard", permission: "edit", subject: "user:alice" };

/** permissionRouteDocs documents these routes in /openapi.json from the schemas above. */
export function permissionRouteDocs(maxBulkItems = 1000): RouteDoc[] {
  const tag = "Permission queries";
  return [
    { method: "post", path: "/v1/check", tag, scope: "check", summary: "May this subject do this on that resource?", body: CheckBody, example: { ...checkExample, consistency: "minimize_latency" } },
    { method: "post", path: "/v1/check/bulk", tag, scope: "check", summary: "Many checks in one call; an error stays with its item", body: bulkBody(maxBulkItems), example: { items: [checkExample, { resource: "project:apollo", permission: "delete_project", subject: "user:alice" }] } },
    { method: "post", path: "/v1/lookup/resources", tag, scope: "check", summary: "Resources of a type on which the subject holds the permission (paged)", body: LookupResourcesBody, example: { resourceType: "project", permission: "view", subject: "user:bob", limit: 100 } },
    { method: "post", path: "/v1/lookup/subjects", tag, scope: "check", summary: "Subjects of a type holding the permission on a resource (API keys only)", body: LookupSubjectsBody, example: { resource: "resource:dashboard", permission: "edit", subjectType: "user" } },
    { method: "post", path: "/v1/explain", tag, scope: "check", summary: "Why (or why not): the path of relationships and the reasons in product terms", body: ExplainBody, example: checkExample },
  ];
}

const bulkBody = (max: number) => z.object({ items: z.array(BulkItem).min(1).max(max), consistency: ConsistencyInput }).strict();

/**
 * answerCheck is POST /v1/check's work, shared with the fast path (http/fast-check.ts):
 * validate the body, let `admit` refuse the subject (a user token asks only about itself),
 * check, count the result. A cached answer comes back at once, anything else as a promise;
 * invalid input throws either way.
 */
export function answerCheck(useCases: Pick<UseCases, "checkPermission">, metrics: Metrics | undefined, body: unknown, admit?: (subject: SubjectRef) => void): CheckAnswer | Promise<CheckAnswer> {
  const { consistency, ...item } = parse(CheckBody, body);
  admit?.(item.subject);
  const cached = useCases.checkPermission.fromCache({ item, consistency });
  if (cached) {
    countAnswer(metrics, cached);
    return cached;
  }
  return useCases.checkPermission.execute({ item, consistency }).then((answer) => {
    countAnswer(metrics, answer);
    return answer;
  });
}

/** countAnswer counts a check's result in the metrics (an item's error is not counted). */
function countAnswer(metrics: Metrics | undefined, answer: { allowed?: boolean; conditional?: true } | { error: unknown }): void {
  if ("error" in answer) return;
  metrics?.countCheck(answer.allowed ? "allowed" : answer.conditional ? "conditional" : "denied");
}

export function permissionRoutes(useCases: UseCases, options: { maxBulkItems: number; metrics?: Metrics }): Router {
  const router = Router();
  router.use("/v1/check", requireScope("check"));
  router.use("/v1/lookup", requireScope("check"));
  router.use("/v1/explain", requireScope("check"));

  const BulkBody = bulkBody(options.maxBulkItems);

  router.post("/v1/check", async (req, res) => {
    res.json(await answerCheck(useCases, options.metrics, req.body, (subject) => requireSelf(req, [subject])));
  });

  router.post("/v1/check/bulk", async (req, res) => {
    const body = parse(BulkBody, req.body);
    requireSelf(req, body.items.map((i) => i.subject));
    const answer = await useCases.checkBulkPermissions.execute(body);
    for (const result of answer.results) countAnswer(options.metrics, result);
    res.json(answer);
  });

  router.post("/v1/lookup/resources", async (req, res) => {
    const { consistency, ...request } = parse(LookupResourcesBody, req.body);
    requireSelf(req, [request.subject]);
    res.json(await useCases.lookupResources.execute({ request, consistency }));
  });

  router.post("/v1/lookup/subjects", async (req, res) => {
    const { consistency, ...request } = parse(LookupSubjectsBody, req.body);
    requireKey(req);
    res.json(await useCases.lookupSubjects.execute({ request, consistency }));
  });

  router.post("/v1/explain", async (req, res) => {
    const { consistency, ...item } = parse(ExplainBody, req.body);
    requireSelf(req, [item.subject]);
    res.json(await useCases.explainPermission.execute({ item, consistency }));
  });

  return router;
}
