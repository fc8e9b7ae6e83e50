// request-log: one line per request when it completes — at info, or error for a 5xx — with the
// request id, method, URL, headers (the logger redacts credentials), status and time taken; and
// a logger per request whose lines carry the request id.
import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";

/** logCompletion writes the request's completion line. */
export function logCompletion(logger: Logger, reqId: string, req: IncomingMessage, statusCode: number, milliseconds: number): void {
  const level = statusCode >= 500 ? "error" : "info";
  if (!logger.isLevelEnabled(level)) return;
  const line = {
    reqId,
    req: { method: req.method, url: req.url, headers: req.headers, remoteAddress: req.socket?.remoteAddress },
    res: { statusCode },
    responseTime: Math.round(milliseconds),
  };
  logger[level](line, "request completed");
}

const loggers = new WeakMap<IncomingMessage, Logger>();

/** bindRequestLogger gives the request a logger whose lines carry its id. */
export function bindRequestLogger(req: IncomingMessage, logger: Logger, reqId: string): void {
  loggers.set(req, logger.child({ reqId }));
}

/** requestLogger is the request's logger (bound when the request began). */
export function requestLogger(req: IncomingMessage): Logger | undefined {
  return loggers.get(req);
}
