// watch-routes: relationship changes as server-sent events (scope `admin`). Each event's `id`
// is the zedToken it happened at, so a reconnecting client (Last-Event-ID) resumes right after
// what it saw; `?since=<zedToken>` does the same by hand. Comments keep idle connections open;
// a client that goes away ends the engine's watch.
import { Router, type Response } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import { DomainError } from "../../domain/errors.js";
import type { WatchEvent } from "../../engine/engine.js";
import { requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { requestLogger } from "../pipeline/request-log.js";
import { problemFor } from "../problem.js";
import { formatRelationship } from "../../engine/relationship-text.js";
import { parse } from "../validation.js";

const Token = z.string().min(1).max(1024).regex(/^[A-Za-z0-9+/=_-]+$/, "must be a zedToken");
const WatchQuery = z
  .object({
    since: Token.optional(),
    /** Seconds between heartbeat comments (default 15). */
    heartbeat: z.coerce.number().int().min(1).max(300).default(15),
  })
  .strict();

export function watchRouteDocs(): RouteDoc[] {
  return [
    {
      method: "get",
      path: "/v1/watch",
      tag: "Watch",
      scope: "admin",
      summary: "Relationship changes as server-sent events (event `relationships`, id = zedToken); resume with Last-Event-ID or ?since=<zedToken>",
      query: WatchQuery,
    },
  ];
}

const eventOf = (event: WatchEvent) => ({
  zedToken: event.zedToken,
  changes: event.changes.map((c) => ({
    operation: c.operation,
    relationship: formatRelationship(c.relationship),
    ...(c.relationship.caveat ? { caveat: c.relationship.caveat } : {}),
    ...(c.relationship.expiresAt ? { expiresAt: c.relationship.expiresAt.toISOString() } : {}),
  })),
});

const send = (res: Response, text: string) => res.write(text);

export function watchRoutes(useCases: UseCases): Router {
  const { watchRelationships: watch } = useCases;
  const router = Router();
  router.get("/v1/watch", requireScope("admin"), async (req, res) => {
    const query = parse(WatchQuery, req.query, "query");
    const lastEventId = req.header("last-event-id");
    const fromToken = query.since ?? (lastEventId ? parse(Token, lastEventId, "header.last-event-id") : undefined);

    // A datastore that cannot watch is a 503 with its reason now, not an error event later.
    await watch.ensureAvailable();
    const stop = new AbortController();
    res.on("close", () => stop.abort());
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" });
    // HEAD gets the headers only: Node sends them with the first body byte, which a HEAD
    // answer never has, so a streamed HEAD would hang and hold its watch open for good.
    if (req.method === "HEAD") return void res.end();
    send(res, `: watching relationship changes${fromToken ? ` after ${fromToken}` : ""}\n\n`);
    const heartbeat = setInterval(() => send(res, `: heartbeat ${new Date().toISOString()}\n\n`), query.heartbeat * 1000);
    try {
      for await (const event of watch.execute({ fromToken, signal: stop.signal })) {
        send(res, `id: ${event.zedToken}\nevent: relationships\ndata: ${JSON.stringify(eventOf(event))}\n\n`);
      }
    } catch (err) {
      if (!stop.signal.aborted) {
        const problem = err instanceof DomainError ? problemFor(err.failure) : { status: 503, code: "unavailable", detail: "the watch stream ended" };
        requestLogger(req)?.info({ err }, "watch ended");
        send(res, `event: error\ndata: ${JSON.stringify(problem)}\n\n`);
      }
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  });
  return router;
}
