// fast-check: `POST /v1/check` is what every backend service calls on every request it serves,
// and most of its answers come from the check cache in microseconds — so the time Express's
// middleware chain takes (logging, metrics, security headers, authentication, body parsing,
// routing) is most of its cost. This handler, put ahead of Express, serves the common case of
// the route in one step with the same parts: the same API keys, scope rule, zod schema,
// use-case, problem+json errors, metrics, request ids, security headers and time limit.
//
// Anything else passes on to the Express chain untouched (nothing has been read from the
// request yet), and there gets exactly the answer it always did: another route or method, a
// JWT (verified asynchronously), a missing or unknown key or one without the `check` scope, a
// CORS request (Origin header), a body that is not plain JSON (another content type, a
// content encoding, chunked or over FAST_BODY_LIMIT bytes), or a server with a rate limit.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Express } from "express";
import helmet from "helmet";
import type { Logger } from "pino";
import type { ApiKeyRing } from "../auth/api-keys.js";
import { BEARER, hasScope } from "./authenticate.js";
import { REQUEST_ID } from "./request-context.js";
import { looksLikeJwt, type JwtVerifier } from "../auth/jwt-verifier.js";
import type { Metrics } from "./metrics.js";
import { INTERNAL_PROBLEM, problemFor, retryAfterOf } from "./problem.js";
import { DomainError, invalidRequest } from "../domain/errors.js";
import type { CheckAnswer } from "../domain/permissions/check-permission.js";
import { servedInTurns, type RequestHandler } from "./request-turns.js";

/** Bodies up to this size are read here; a larger one (up to the body limit) goes to Express. */
export const FAST_BODY_LIMIT = 64 * 1024;

const JSON_TYPE = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;
const ROUTE = "/v1/check";

export interface FastCheckDeps {
  keys: () => ApiKeyRing;
  jwt?: JwtVerifier;
  /**
   * The route's own work: validate the body (throws a DomainError), check, count. A cached
   * answer comes back at once, so a hit is served without a promise in between.
   */
  answer(body: unknown): CheckAnswer | Promise<CheckAnswer>;
  metrics: Metrics;
  logger: Logger;
  requestTimeoutMs: number;
}

/** securityHeaders are the headers helmet sets on every response, captured once as name, value, name, value, … */
function securityHeaders(): string[] {
  const headers: string[] = [];
  const res = {
    setHeader: (name: string, value: unknown) => headers.push(name, String(value)),
    removeHeader: () => undefined,
  };
  helmet()({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return headers;
}

/** eligible says whether this handler may serve the request (before anything is read). */
function eligible(req: IncomingMessage, deps: FastCheckDeps): boolean {
  if (req.method !== "POST" || req.url !== ROUTE) return false;
  const h = req.headers;
  if (h.origin !== undefined || h["content-encoding"] !== undefined || h["transfer-encoding"] !== undefined) return false;
  const length = Number(h["content-length"]);
  if (!(length >= 0 && length <= FAST_BODY_LIMIT)) return false;
  if (!JSON_TYPE.test(h["content-type"] ?? "")) return false;
  const token = BEARER.exec(h.authorization ?? "")?.[1];
  if (!token || (deps.jwt?.enabled && looksLikeJwt(token))) return false;
  const identity = deps.keys().identify(token);
  return identity !== undefined && hasScope(identity.scopes, "check");
}

/** FastCheck serves a request and returns true, or returns false having touched nothing. */
export type FastCheck = (req: IncomingMessage, res: ServerResponse) => boolean;

export function fastCheck(deps: FastCheckDeps): FastCheck {
  const headers = securityHeaders();
  const infoEnabled = () => deps.logger.isLevelEnabled("info");

  // The whole head is written in one call from a list (writeHead): nothing is held on the
  // response while it waits for the engine, and no header object is built per request.
  const send = (res: ServerResponse, reqId: string, status: number, type: string, body: string, extra: string[] = []) => {
    res.writeHead(status, [...headers, "X-Request-Id", reqId, ...extra, "Content-Type", type, "Content-Length", String(Buffer.byteLength(body))]);
    res.end(body);
  };

  // The same mapping as the Express chain's errorHandler (http/problem.ts).
  const fail = (res: ServerResponse, reqId: string, err: unknown) => {
    let problem = INTERNAL_PROBLEM;
    let extra: string[] | undefined;
    if (err instanceof DomainError) {
      const f = err.failure;
      deps.logger.info({ reqId, code: f.kind }, f.detail);
      const retryAfter = retryAfterOf(f);
      if (retryAfter !== undefined) extra = ["Retry-After", String(retryAfter)];
      problem = problemFor(f);
    } else {
      deps.logger.error({ reqId, err }, "unexpected error");
    }
    send(res, reqId, problem.status, "application/problem+json; charset=utf-8", JSON.stringify(problem), extra);
  };

  const reply = (res: ServerResponse, reqId: string, answer: CheckAnswer) => {
    if (!res.headersSent) send(res, reqId, 200, "application/json; charset=utf-8", JSON.stringify(answer));
  };

  // Answers the body: at once when the answer is cached, else when the engine's answer comes.
  const serve = (res: ServerResponse, body: Buffer, reqId: string, deadline: () => void) => {
    let answer: CheckAnswer | Promise<CheckAnswer>;
    try {
      const text = body.toString("utf8");
      // Like express.json(): an empty body is {}, and a byte-order mark is not part of the JSON.
      let parsed: unknown;
      try {
        parsed = text.length === 0 ? {} : JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      } catch {
        throw invalidRequest("request body is not valid JSON", "body");
      }
      answer = deps.answer(parsed);
    } catch (err) {
      if (!res.headersSent) fail(res, reqId, err);
      return;
    }
    if (!(answer instanceof Promise)) return reply(res, reqId, answer);
    deadline();
    answer.then(
      (value) => reply(res, reqId, value),
      (err: unknown) => {
        if (!res.headersSent) fail(res, reqId, err);
      },
    );
  };

  return (req, res) => {
    if (!eligible(req, deps)) return false;
    const started = performance.now();
    const given = req.headers["x-request-id"];
    const reqId = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    // The time limit runs only while the request waits (for its body or the engine): an answer
    // given at once needs no timer.
    let timer: NodeJS.Timeout | undefined;
    const deadline = () => {
      timer ??= setTimeout(() => {
        if (!res.headersSent) fail(res, reqId, new DomainError({ kind: "timeout", detail: `request took longer than ${deps.requestTimeoutMs} ms` }));
      }, deps.requestTimeoutMs);
    };
    res.once("close", () => clearTimeout(timer));
    res.once("finish", () => {
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.observeRequest("POST", ROUTE, res.statusCode, seconds);
      if (infoEnabled()) deps.logger.info({ reqId, req: { method: "POST", url: ROUTE }, res: { statusCode: res.statusCode }, responseTime: Math.round(seconds * 1000) }, "request completed");
    });
    const whole = bufferedBody(req);
    if (whole) {
      serve(res, whole, reqId, deadline);
      return true;
    }
    deadline();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= FAST_BODY_LIMIT) chunks.push(chunk);
    });
    req.on("error", () => res.destroy());
    req.on("end", () => {
      // Content-Length bounded the body before it was read; Node's parser holds a client to it.
      serve(res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), reqId, deadline);
    });
    return true;
  };
}

const EMPTY = Buffer.alloc(0);

/**
 * bufferedBody is the whole body when it has already arrived (the parser holds it, as when the
 * request is taken a turn after it came: see servedInTurns), read at once; undefined otherwise.
 */
function bufferedBody(req: IncomingMessage): Buffer | undefined {
  if (!req.complete || req.readableFlowing !== null) return undefined;
  const body = (req.read() as Buffer | null) ?? EMPTY;
  // Nothing is left: the stream ends, and the connection is free for its next request.
  req.resume();
  return body;
}

/**
 * serveFastChecksFirst puts the fast path in front of an Express app: a request it takes never
 * enters Express (whose per-request set-up and router are a good part of a cached check's
 * cost); any other goes to Express as before. Express calls `app.handle` for every request.
 * Without a fast path (a rate limit is configured) requests still go in turns.
 */
export function serveFastChecksFirst(app: Express, fast: FastCheck | undefined): void {
  const expressHandle = (app as unknown as { handle: RequestHandler }).handle.bind(app);
  const handle: RequestHandler = fast
    ? (req, res, callback) => {
        if (!fast(req, res)) expressHandle(req, res, callback);
      }
    : expressHandle;
  (app as unknown as { handle: RequestHandler }).handle = servedInTurns(handle);
}
