// audit-routes: the audit log (scope `admin`): who changed what, when, with which zedToken.
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import { objectOf } from "../../domain/audit/audit-context.js";
import type { AuditEntry } from "../../store/store.js";
import { requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { Cursor, Limit, parse } from "../validation.js";

const Time = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const AuditQuery = z
  .object({
    actor: z.string().regex(/^(user|key):[^\s]{1,128}$/, "must be user:<id> or key:<name>").optional(),
    object: z
      .string()
      .regex(/^schema$|^[a-z][a-z0-9_]{0,63}:[^\s#]{1,1024}(#[a-z][a-z0-9_]{0,63})?$/, "must be an object reference like project:p1 or user:bob, or schema")
      .transform(objectOf)
      .optional(),
    since: Time.optional(),
    until: Time.optional(),
    limit: Limit(1000).default(100),
    cursor: Cursor.optional(),
  })
  .strict();

/** present: a pending entry shows as `unconfirmed` (its write was never confirmed). */
const present = (entry: AuditEntry) => ({
  id: entry.id,
  at: entry.at.toISOString(),
  principal: entry.principal,
  actor: entry.actor,
  action: entry.action,
  target: entry.target ?? null,
  changes: entry.changes,
  zedToken: entry.zedToken ?? null,
  ...(entry.detail ? { detail: entry.detail } : {}),
  status: entry.state === "committed" ? "committed" : "unconfirmed",
});

export function auditRouteDocs(): RouteDoc[] {
  return [
    {
      method: "get",
      path: "/v1/audit",
      tag: "Audit",
      scope: "admin",
      summary: "The audit log, newest first: actor, action, target, relationship changes, zedToken and time; filter by actor, object and time ([since, until)), paged",
      query: AuditQuery,
    },
  ];
}

export function auditRoutes(useCases: UseCases): Router {
  const { listAuditEntries: listAudit } = useCases;
  const router = Router();
  router.get("/v1/audit", requireScope("admin"), async (req, res) => {
    const query = parse(AuditQuery, req.query, "query");
    const page = await listAudit.execute(query);
    res.json({ entries: page.entries.map(present), ...(page.cursor ? { cursor: page.cursor } : {}) });
  });
  return router;
}
