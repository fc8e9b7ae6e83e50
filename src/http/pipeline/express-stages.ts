// express-stages: the request pipeline's stages as Express middleware. Each stage is the shared
// piece of ./ (request id, security headers, logging, metrics, time limit, caller, rate limit,
// error answer) — the fast check path (../fast-check.ts) calls the very same pieces — so a
// request gets the same treatment whichever way it is served.
import type { IncomingMessage } from "node:http";
import type { Request, RequestHandler } from "express";
import type { Logger } from "pino";
import type { Metrics } from "../metrics.js";
import { answerError, sendProblem } from "../problem.js";
import { identifyCaller, principalName, type CallerSources, type Principal } from "./caller.js";
import type { RateLimit } from "./rate-limit.js";
import { requestIdOf } from "./request-id.js";
import { bindRequestLogger, logCompletion, requestLogger } from "./request-log.js";
import { setSecurityHeaders } from "./security-headers.js";
import { timeLimit } from "./time-limit.js";

export interface RequestStageDeps {
  logger: Logger;
  metrics: Metrics;
  requestTimeoutMs: number;
}

/** routeLabel names a request's route in metrics: its pattern, never its raw path. */
function routeLabel(req: Request, status: number): string {
  return (req.route?.path as string | undefined) ?? (status === 404 ? "unmatched" : req.baseUrl || "other");
}

/**
 * beginRequest is the first stage of every request: its id (X-Request-Id), the security
 * headers, a logger carrying the id, the completion line and metrics when it finishes, and the
 * time limit.
 */
export function beginRequest(deps: RequestStageDeps): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const reqId = requestIdOf(req);
    res.setHeader("X-Request-Id", reqId);
    setSecurityHeaders(res);
    bindRequestLogger(req, deps.logger, reqId);
    res.once("finish", () => {
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.observeRequest(req.method, routeLabel(req, res.statusCode), res.statusCode, seconds);
      logCompletion(deps.logger, reqId, req, res.statusCode, seconds * 1000);
    });
    timeLimit(res, deps.requestTimeoutMs, (err) => {
      const answer = answerError(err, requestLogger(req));
      sendProblem(res, answer.problem, answer.retryAfterSeconds);
    })();
    next();
  };
}

const principals = new WeakMap<IncomingMessage, Principal>();

/** principalOf returns who is calling (set by authenticate). */
export function principalOf(req: IncomingMessage): Principal | undefined {
  return principals.get(req);
}

/** authenticate admits a request with a valid API key or JWT (401 otherwise) and remembers its principal. */
export function authenticate(sources: CallerSources): RequestHandler {
  return (req, res, next) => {
    const admit = (principal: Principal) => {
      principals.set(req, principal);
      res.locals.principalName = principalName(principal);
      next();
    };
    try {
      const principal = identifyCaller(req, sources);
      if (principal instanceof Promise) principal.then(admit, next);
      else admit(principal);
    } catch (err) {
      next(err);
    }
  };
}

/** rateLimited holds each principal to the configured rate (after authenticate). */
export function rateLimited(limit: RateLimit): RequestHandler {
  return (_req, res, next) => {
    limit(String(res.locals.principalName)).then(() => next(), next);
  };
}
