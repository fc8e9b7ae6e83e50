// request-id: every response carries X-Request-Id — the client's own when it is a safe token,
// else a fresh UUID — and every log line of the request names it.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** REQUEST_ID is the X-Request-Id a client may choose; any other gets a generated one. */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** requestIdOf is the request's id: the client's X-Request-Id when safe, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}
