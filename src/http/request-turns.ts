// request-turns: when many connections send at once (a service's 64 workers, each asking for a
// check), their requests arrive in one turn of the event loop, and serving them all in that
// turn holds the loop for the whole burst: timers fire late and every other connection — a
// health probe, an engine answer, a metrics scrape — waits behind it. So requests are taken up
// in turns instead: queued as they arrive, then served first come, first served, for at most
// TURN_BUDGET_MS at a time, the loop going round (timers, I/O) between turns. The work is the
// same, in the same order; no request waits for a timer (a turn follows at once, setImmediate).
// This is "partitioning" in Node's guide Don't Block the Event Loop.
//
// NOTE: a request is served a turn after it arrived, so by then a small body has come with it
// and can be read at once (see bufferedBody in fast-check.ts).
import type { IncomingMessage, ServerResponse } from "node:http";

/** Longest a turn serves requests before it lets the event loop go round. */
export const TURN_BUDGET_MS = 2;

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, callback?: unknown) => void;

/** servedInTurns wraps a request handler so that it serves what arrived in turns (see above). */
export function servedInTurns(handle: RequestHandler, budgetMs = TURN_BUDGET_MS): RequestHandler {
  let queue: Array<[IncomingMessage, ServerResponse, unknown]> = [];
  let next = 0;
  let scheduled = false;
  const turn = () => {
    const until = performance.now() + budgetMs;
    while (next < queue.length) {
      const [req, res, callback] = queue[next]!;
      queue[next++] = undefined!; // the queue does not keep what it has handed on
      try {
        handle(req, res, callback);
      } catch (err) {
        // A handler that throws must not strand the requests after it (Express catches its own).
        res.destroy(err as Error);
      }
      if (performance.now() >= until) break;
    }
    if (next < queue.length) {
      setImmediate(turn);
      return;
    }
    queue = [];
    next = 0;
    scheduled = false;
  };
  return (req, res, callback) => {
    queue.push([req, res, callback]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(turn);
    }
  };
}
