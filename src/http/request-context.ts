// requestContext opens the operation context of each authenticated request: the principal
// (API key or user token), the actor it acts for (X-Actor), the action (method and route
// pattern) and its target (the object the path names). Audit entries are made from it.
import type { Request, RequestHandler } from "express";
import { runInOperation } from "../domain/audit/audit-context.js";
import { principalOf } from "./pipeline/express-stages.js";

const ACTOR = /^user:[A-Za-z0-9_-]{1,128}$/;
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Path parameters that name an object, in the order a target is chosen (most specific owner first). */
const TARGET_PARAMS: Array<[param: string, type: string]> = [
  ["org", "organization"],
  ["project", "project"],
  ["resource", "resource"],
  ["group", "group"],
  ["role", "role"],
  ["user", "user"],
];

/** targetOf names the object a request is about, from its path parameters. */
export function targetOf(req: Request): string | undefined {
  const params = (req.params ?? {}) as Record<string, string | undefined>;
  if (req.path.startsWith("/v1/invitations/") && params.id && ID.test(params.id)) return `invitation:${params.id}`;
  for (const [param, type] of TARGET_PARAMS) {
    const value = params[param];
    if (value && ID.test(value)) return `${type}:${value}`;
  }
  return undefined;
}

/** actionOf is the method and route pattern, e.g. `PUT /v1/projects/:project/members/:subject`. */
export function actionOf(req: Request): string {
  const route = (req.route as { path?: string } | undefined)?.path;
  return `${req.method} ${route ? `${req.baseUrl}${route}` : req.path}`;
}

export function requestContext(): RequestHandler {
  return (req, _res, next) => {
    const principal = principalOf(req);
    const principalName = !principal ? "anonymous" : principal.kind === "user" ? `user:${principal.userId}` : `key:${principal.keyName}`;
    const header = req.header("x-actor");
    const actor = principal?.kind === "key" && header && ACTOR.test(header) ? header : principalName;
    runInOperation({ principal: principalName, actor, action: () => actionOf(req), target: () => targetOf(req) }, next);
  };
}
