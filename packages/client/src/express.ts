// express: requirePermission, route protection in one line. It asks Accord (through a client,
// so checks of concurrent requests share bulk calls and follow the client's writes), puts the
// decision on `req.accord` for logging, and answers 403 problem+json on deny (or calls onDenied).
// When Accord gives no decision (unreachable, out of time, throttled, 5xx) it fails closed with
// 503 problem+json, or lets the request through with `failOpen: true`. A resource or subject
// Accord refuses as malformed (400 invalid_request, e.g. an id from the URL) is a deny; any other
// error of the check (a key without the check scope, 500) goes to next(err).
// NOTE: express is an optional peer dependency; only its types are used here.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { AccordClient } from "./client.js";
import { AccordError } from "./errors.js";
import type { CallOptions } from "./transport.js";

/** AccordDecision is what the middleware decided, on `req.accord`. */
export interface AccordDecision {
  allowed: boolean;
  resource?: string;
  permission: string;
  subject?: string;
  /** The revision the answer was computed at. */
  zedToken?: string;
  conditional?: boolean;
  /** Why there is no answer from Accord (fail closed or open), or what it refused (invalid_request). */
  error?: AccordError;
  /** The request went through although Accord gave no decision (failOpen). */
  failedOpen?: boolean;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The decision of requirePermission for this request. */
      accord?: AccordDecision;
    }
  }
}

type Resolve<T> = (req: Request) => T | undefined | Promise<T | undefined>;

export interface RequirePermissionOptions {
  /** The client, or a scope per request (e.g. `(req) => accord.session({ zedToken: req.get("x-zed-token") })`). */
  client: Pick<AccordClient, "check"> | ((req: Request) => Pick<AccordClient, "check">);
  /** The resource, e.g. `(req) => \`resource:${req.params.id}\``; nothing → denied. */
  resource: string | Resolve<string>;
  permission: string;
  /** The subject, e.g. `(req) => \`user:${req.user.id}\``; nothing (no user) → denied. */
  subject: Resolve<string>;
  /** Caveat context, e.g. `(req) => ({ ip: req.ip })`. */
  context?: Resolve<Record<string, unknown>>;
  /** Called on deny instead of the 403 answer. */
  onDenied?: (req: Request, res: Response, next: NextFunction, decision: AccordDecision) => void;
  /** Let requests through when Accord gives no decision (default false: 503). */
  failOpen?: boolean;
  /** Called when Accord gives no decision instead of the 503 answer (failOpen: false). */
  onUnavailable?: (req: Request, res: Response, next: NextFunction, decision: AccordDecision) => void;
  /** Options of each check (e.g. a shorter timeoutMs than the client's). */
  call?: CallOptions;
}

/** requirePermission: `app.get("/docs/:id", requirePermission({ client, resource, permission, subject }), handler)`. */
export function requirePermission(options: RequirePermissionOptions): RequestHandler {
  return (req, res, next) => {
    decide(options, req).then(
      (decision) => {
        req.accord = decision;
        if (decision.allowed || decision.failedOpen) return next();
        if (decision.error?.unavailable) {
          if (options.onUnavailable) return options.onUnavailable(req, res, next, decision);
          return sendProblem(res, 503, "authorization_unavailable", "Authorization unavailable", "the authorization service gave no decision; try again later", decision.error.retryAfterSeconds);
        }
        if (options.onDenied) return options.onDenied(req, res, next, decision);
        sendProblem(res, 403, "forbidden", "Forbidden", `${decision.permission} is not allowed on ${decision.resource ?? "this resource"}`);
      },
      (err: unknown) => next(err),
    );
  };
}

async function decide(options: RequirePermissionOptions, req: Request): Promise<AccordDecision> {
  const { permission } = options;
  const resource = typeof options.resource === "string" ? options.resource : await options.resource(req);
  const subject = await options.subject(req);
  if (!resource || !subject) return { allowed: false, permission, resource, subject };
  const context = options.context ? await options.context(req) : undefined;
  const client = typeof options.client === "function" ? options.client(req) : options.client;
  try {
    const answer = await client.check(context ? { resource, permission, subject, context } : { resource, permission, subject }, options.call);
    return { allowed: answer.allowed, resource, permission, subject, zedToken: answer.zedToken, ...(answer.conditional ? { conditional: true } : {}) };
  } catch (err) {
    if (err instanceof AccordError && err.code === "invalid_request") return { allowed: false, resource, permission, subject, error: err };
    if (!(err instanceof AccordError) || !err.unavailable) throw err;
    return { allowed: false, resource, permission, subject, error: err, ...(options.failOpen ? { failedOpen: true } : {}) };
  }
}

function sendProblem(res: Response, status: number, code: string, title: string, detail: string, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(Math.ceil(retryAfterSeconds)));
  res
    .status(status)
    .type("application/problem+json")
    .send(JSON.stringify({ type: `https://accord.dev/problems/${code}`, title, status, detail, code }));
}
