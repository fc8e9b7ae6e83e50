// Pins GET /v1/watch (admin): relationship changes arrive as server-sent events whose id is the
// change's zedToken; Last-Event-ID (or ?since=) resumes right after it; idle streams get
// heartbeat comments; a client that disconnects ends its watch and the server carries on.
import { describe, expect, it } from "vitest";
import { KEYS, useTestServer, uid, } from "./support/test-server.js";

const server = useTestServer();

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** openWatch reads the event stream, collecting events until closed. */
async function openWatch(query = "", headers: Record<string, string> = {}) {
  const stop = new AbortController();
  const res = await fetch(`${server.url}/v1/watch${query}`, { headers: { authorization: `Bearer ${KEYS.admin}`, ...headers }, signal: stop.signal });
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = {};
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) event.comment = line.slice(1).trim();
            else if (line.startsWith("id: ")) event.id = line.slice(4);
            else if (line.startsWith("event: ")) event.event = line.slice(7);
            else if (line.startsWith("data: ")) event.data = line.slice(6);
          }
          events.push(event);
          for (const wake of waiters.splice(0)) wake();
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  return {
    res,
    events,
    /** until waits for an event matching the predicate (or fails after a timeout). */
    async until(match: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    async close() {
      stop.abort();
      await reading;
    },
  };
}

const write = async (relationship: string, operation = "touch") => {
  const res = await server.call("POST", "/v1/relationships", { body: { updates: [{ operation, relationship }] } });
  expect(res.status).toBe(200);
  return res.body.zedToken as string;
};
const changesOf = (e: SseEvent) => (JSON.parse(e.data!) as { changes: Array<{ operation: string; relationship: string }> }).changes;
const mentions = (relationship: string) => (e: SseEvent) => e.event === "relationships" && changesOf(e).some((c) => c.relationship === relationship);

describe("GET /v1/watch", () => {
  it("streams a write as an event whose id is its zedToken", async () => {
    // Start after a known token, so the watch is positioned before the write whatever the engine.
    const start = await write(`project:${uid("w")}#viewer@user:start`);
    const watch = await openWatch(`?since=${encodeURIComponent(start)}`);
    try {
      expect(watch.res.status).toBe(200);
      expect(watch.res.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const relationship = `project:${uid("w")}#viewer@user:bob`;
      const token = await write(relationship);
      const event = await watch.until(mentions(relationship));
      expect(event.id).toBe(token);
      expect(changesOf(event)).toEqual([{ operation: "touch", relationship }]);
      const removed = await write(relationship, "delete");
      const deletion = await watch.until((e) => e.id === removed);
      expect(changesOf(deletion)).toEqual([{ operation: "delete", relationship }]);
    } finally {
      await watch.close();
    }
  });

  it("resumes after Last-Event-ID: what came after it, not what came before", async () => {
    const [first, second] = [`project:${uid("w")}#viewer@user:one`, `project:${uid("w")}#viewer@user:two`];
    const seen = await write(first);
    await write(second);
    const watch = await openWatch("", { "last-event-id": seen });
    try {
      await watch.until(mentions(second));
      expect(watch.events.some(mentions(first))).toBe(false);
    } finally {
      await watch.close();
    }
  });

  it("sends heartbeat comments on an idle stream, and keeps serving after clients disconnect", async () => {
    const watch = await openWatch("?heartbeat=1");
    await watch.until((e) => e.comment?.startsWith("heartbeat") ?? false, 5000);
    await watch.close();
    // Disconnected watchers do not disturb the server: a new one still gets the next write.
    const start = await write(`project:${uid("w")}#viewer@user:start`);
    const again = await openWatch(`?since=${encodeURIComponent(start)}`);
    try {
      const relationship = `project:${uid("w")}#viewer@user:after`;
      await write(relationship);
      await again.until(mentions(relationship));
    } finally {
      await again.close();
    }
  });

  it("is for admin keys only and checks its input", async () => {
    expect((await server.call("GET", "/v1/watch", { key: "manage", actor: "user:x" })).status).toBe(403);
    expect((await server.call("GET", "/v1/watch", { key: null })).status).toBe(401);
    expect((await server.call("GET", "/v1/watch?heartbeat=0")).status).toBe(400);
    expect((await server.call("GET", "/v1/watch?since=not%20a%20token")).status).toBe(400);
  });
});
