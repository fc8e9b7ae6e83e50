// fast-check: `POST /v1/check` is what every backend service calls on every request it serves,
// and most of its answers come from the check cache in microseconds — so the time Express's
// middleware chain takes (its router, request and response set-up, body parser) is most of its
// cost. This handler, put ahead of Express, serves the common case of the route in one step
// through the same request pipeline (./pipeline/): request id, security headers, caller and
// scope, rate limit, time limit, the route's zod schema and use case, the one error mapping,
// the completion log line and metrics. Only the framework around them differs.
//
// Anything else passes on to the Express chain untouched (nothing has been read from the
// request yet), where the same pipeline stages serve it: another route or method, a JWT
// (verified asynchronously), a missing or unknown key or one without the `check` scope, a CORS
// request (Origin header), or a body that is not plain JSON (another content type, a content
// encoding, chunked or over FAST_BODY_LIMIT bytes).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Express } from "express";
import type { Logger } from "pino";
import type { CheckAnswer } from "../domain/permissions/check-permission.js";
import { invalidRequest } from "../domain/errors.js";
import type { Metrics } from "./metrics.js";
import { answerError } from "./problem.js";
import { BEARER, hasScope, principalName, type CallerSources } from "./pipeline/caller.js";
import type { RateLimit } from "./pipeline/rate-limit.js";
import { requestIdOf } from "./pipeline/request-id.js";
import { logCompletion } from "./pipeline/request-log.js";
import { SECURITY_HEADERS } from "./pipeline/security-headers.js";
import { timeLimit } from "./pipeline/time-limit.js";
import { servedInTurns, type RequestHandler } from "./request-turns.js";
import { looksLikeJwt } from "../auth/jwt-verifier.js";

/** Bodies up to this size are read here; a larger one (up to the body limit) goes to Express. */
export const FAST_BODY_LIMIT = 64 * 1024;

const JSON_TYPE = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;
const ROUTE = "/v1/check";

export interface FastCheckDeps extends CallerSources {
  /**
   * The route's own work: validate the body (throws a DomainError), check, count. A cached
   * answer comes back at once, so a hit is served without a promise in between.
   */
  answer(body: unknown): CheckAnswer | Promise<CheckAnswer>;
  metrics: Metrics;
  logger: Logger;
  requestTimeoutMs: number;
  rateLimit?: RateLimit;
}

/** keyName is the name of the API key with the `check` scope this handler may serve the request for (before anything is read), or undefined. */
function keyName(req: IncomingMessage, deps: FastCheckDeps): string | undefined {
  if (req.method !== "POST" || req.url !== ROUTE) return undefined;
  const h = req.headers;
  if (h.origin !== undefined || h["content-encoding"] !== undefined || h["transfer-encoding"] !== undefined) return undefined;
  const length = Number(h["content-length"]);
  if (!(length >= 0 && length <= FAST_BODY_LIMIT)) return undefined;
  if (!JSON_TYPE.test(h["content-type"] ?? "")) return undefined;
  const token = BEARER.exec(h.authorization ?? "")?.[1];
  if (!token || (deps.jwt?.enabled && looksLikeJwt(token))) return undefined;
  const identity = deps.keys().identify(token);
  return identity !== undefined && hasScope(identity.scopes, "check") ? identity.name : undefined;
}

/** FastCheck serves a request and returns true, or returns false having touched nothing. */
export type FastCheck = (req: IncomingMessage, res: ServerResponse) => boolean;

export function fastCheck(deps: FastCheckDeps): FastCheck {
  // The whole head is written in one call from a list (writeHead): nothing is held on the
  // response while it waits for the engine, and no header object is built per request.
  const send = (res: ServerResponse, reqId: string, status: number, type: string, body: string, extra: string[] = []) => {
    res.writeHead(status, [...SECURITY_HEADERS, "X-Request-Id", reqId, ...extra, "Content-Type", type, "Content-Length", String(Buffer.byteLength(body))]);
    res.end(body);
  };

  const fail = (res: ServerResponse, reqId: string, err: unknown) => {
    if (res.headersSent) return;
    const log = { info: (obj: object, msg: string) => deps.logger.info({ reqId, ...obj }, msg), error: (obj: object, msg: string) => deps.logger.error({ reqId, ...obj }, msg) };
    const { problem, retryAfterSeconds } = answerError(err, log as Parameters<typeof answerError>[1]);
    const extra = retryAfterSeconds === undefined ? undefined : ["Retry-After", String(retryAfterSeconds)];
    send(res, reqId, problem.status, "application/problem+json; charset=utf-8", JSON.stringify(problem), extra);
  };

  const reply = (res: ServerResponse, reqId: string, answer: CheckAnswer) => {
    if (!res.headersSent) send(res, reqId, 200, "application/json; charset=utf-8", JSON.stringify(answer));
  };

  // Answers the body: at once when the answer is cached, else when the engine's answer comes.
  const serve = (res: ServerResponse, body: Buffer, reqId: string, wait: () => void) => {
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
      return fail(res, reqId, err);
    }
    if (!(answer instanceof Promise)) return reply(res, reqId, answer);
    wait();
    answer.then(
      (value) => reply(res, reqId, value),
      (err: unknown) => fail(res, reqId, err),
    );
  };

  return (req, res) => {
    const key = keyName(req, deps);
    if (key === undefined) return false;
    const started = performance.now();
    const reqId = requestIdOf(req);
    // The time limit runs only while the request waits (for its body, the rate limit or the
    // engine): an answer given at once needs no timer.
    const wait = timeLimit(res, deps.requestTimeoutMs, (err) => fail(res, reqId, err));
    res.once("finish", () => {
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.observeRequest("POST", ROUTE, res.statusCode, seconds);
      logCompletion(deps.logger, reqId, req, res.statusCode, seconds * 1000);
    });
    const read = (then: (body: Buffer) => void) => {
      const whole = bufferedBody(req);
      if (whole) return then(whole);
      wait();
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= FAST_BODY_LIMIT) chunks.push(chunk);
      });
      req.on("error", () => res.destroy());
      // Content-Length bounded the body before it was read; Node's parser holds a client to it.
      req.on("end", () => then(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    };
    if (!deps.rateLimit) {
      read((body) => serve(res, body, reqId, wait));
      return true;
    }
    wait();
    deps.rateLimit(principalName({ kind: "key", keyName: key, scopes: new Set() })).then(
      () => read((body) => serve(res, body, reqId, wait)),
      (err: unknown) => {
        req.resume();
        fail(res, reqId, err);
      },
    );
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
 * Without a fast path requests still go in turns.
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
