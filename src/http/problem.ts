// problem maps every error to an RFC 9457 application/problem+json response, in one place.
// DomainErrors map by kind (exhaustive switch); anything unexpected becomes a generic 500,
// logged once with the request id, never with a stack trace in the body.
import type { ErrorRequestHandler, Response } from "express";
import type { Logger } from "pino";
import { DomainError, type Failure } from "../domain/errors.js";
import { requestLogger } from "./pipeline/request-log.js";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
}

function statusAndTitle(failure: Failure): [number, string] {
  switch (failure.kind) {
    case "invalid_request":
      return [400, "Invalid request"];
    case "unauthenticated":
      return [401, "Unauthenticated"];
    case "forbidden":
      return [403, "Forbidden"];
    case "plan_required":
      return [403, "Plan required"];
    case "not_found":
      return [404, "Not found"];
    case "already_exists":
      return [409, "Already exists"];
    case "already_member":
      return [409, "Already a member"];
    case "invitation_pending":
      return [409, "Invitation pending"];
    case "seat_limit_reached":
      return [409, "Seat limit reached"];
    case "precondition_failed":
      return [409, "Precondition failed"];
    case "not_org_member":
      return [422, "Not an organization member"];
    case "groups_not_allowed":
      return [422, "Groups not allowed"];
    case "invalid_role":
      return [422, "Invalid role"];
    case "invalid_scope":
      return [422, "Invalid scope"];
    case "not_in_organization":
      return [422, "Not in the organization"];
    case "invalid_parent":
      return [422, "Invalid parent"];
    case "throttled":
      return [429, "Too many requests"];
    case "unavailable":
      return [503, "Service unavailable"];
    case "engine_unavailable":
      return [503, "Authorization engine unavailable"];
    case "timeout":
      return [504, "Timed out"];
  }
}

export function sendProblem(res: Response, problem: Problem, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(retryAfterSeconds));
  res.status(problem.status).type("application/problem+json").send(JSON.stringify(problem));
}

/** INTERNAL_PROBLEM answers anything unexpected: no detail, no stack trace. */
export const INTERNAL_PROBLEM: Problem = { type: "https://accord.dev/problems/internal", title: "Internal error", status: 500, detail: "internal error", code: "internal" };

/** retryAfterOf is the Retry-After a failure carries (unavailable, throttled), if any. */
export function retryAfterOf(failure: Failure): number | undefined {
  return failure.kind === "unavailable" || failure.kind === "engine_unavailable" || failure.kind === "throttled" ? failure.retryAfterSeconds : undefined;
}

export function problemFor(failure: Failure): Problem {
  const [status, title] = statusAndTitle(failure);
  const problem: Problem = { type: `https://accord.dev/problems/${failure.kind}`, title, status, detail: failure.detail, code: failure.kind };
  if ("field" in failure && failure.field) problem.field = failure.field;
  return problem;
}

/** ErrorAnswer is what a failed request is answered with. */
export interface ErrorAnswer {
  problem: Problem;
  retryAfterSeconds?: number;
}

/** ErrorLog is where a failure is logged: expected ones at info, anything unexpected once at error. */
export type ErrorLog = Pick<Logger, "info" | "error"> | undefined;

/**
 * answerError is the single mapping point from any error to its problem+json answer, for the
 * Express chain and the fast check path alike: DomainErrors by kind; the body parser's errors
 * (too large, not JSON) as 413 and 400; anything else a generic 500, logged once.
 */
export function answerError(err: unknown, log: ErrorLog): ErrorAnswer {
  if (err instanceof DomainError) {
    const f = err.failure;
    log?.info({ code: f.kind }, f.detail);
    return { problem: problemFor(f), retryAfterSeconds: retryAfterOf(f) };
  }
  // Errors raised by express.json() and friends carry a status and a type.
  const e = err as { status?: number; type?: string; message?: string };
  if (e.type === "entity.too.large") {
    return { problem: { type: "https://accord.dev/problems/payload_too_large", title: "Payload too large", status: 413, detail: "request body is too large", code: "payload_too_large" } };
  }
  if (e.type === "entity.parse.failed" || e.type === "encoding.unsupported" || e.type === "charset.unsupported") {
    return { problem: problemFor({ kind: "invalid_request", detail: "request body is not valid JSON", field: "body" }) };
  }
  if (typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    return { problem: { type: "about:blank", title: "Bad request", status: e.status, detail: e.message ?? "bad request", code: "invalid_request" } };
  }
  log?.error({ err }, "unexpected error");
  return { problem: INTERNAL_PROBLEM };
}

/** errorHandler answers the Express chain's errors (mounted last). */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  const answer = answerError(err, requestLogger(req));
  sendProblem(res, answer.problem, answer.retryAfterSeconds);
};
