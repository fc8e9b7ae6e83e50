// time-limit: a request still unanswered after `ms` gets 504 `timeout` problem+json. The timer is
// armed when asked (the fast check path arms it only while a request waits: an answer given at
// once needs none) and cleared when the response closes.
import type { ServerResponse } from "node:http";
import { DomainError } from "../../domain/errors.js";

/** timeLimit returns `arm`: the first call starts the clock; past `ms`, `fail` answers with the timeout. */
export function timeLimit(res: ServerResponse, ms: number, fail: (err: DomainError) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  res.once("close", () => clearTimeout(timer));
  return () => {
    timer ??= setTimeout(() => {
      if (!res.headersSent) fail(new DomainError({ kind: "timeout", detail: `request took longer than ${ms} ms` }));
    }, ms);
  };
}
