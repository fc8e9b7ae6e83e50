// Pins serving in turns (src/http/request-turns.ts): requests are served first come, first
// served, the event loop goes round between turns, a throwing handler strands nobody, and
// through the real app a request is answered exactly whether its body came with it or later.
import type { IncomingMessage, ServerResponse } from "node:http";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { servedInTurns } from "../src/http/request-turns.js";
import { KEYS, useTestServer, uid, } from "./support/test-server.js";

/** busy holds the thread for `ms`, as a request's work does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

const fakeRequest = (n: number) => ({ n }) as unknown as IncomingMessage;
const fakeResponse = (destroyed: unknown[]) => ({ destroy: (err: unknown) => destroyed.push(err) }) as unknown as ServerResponse;

describe("servedInTurns", () => {
  it("serves a burst first come, first served, and lets a timer run between turns", async () => {
    const order: string[] = [];
    // Budget 0: each turn serves one request; each takes 2 ms, so a 1 ms timer is due after the first.
    const handle = servedInTurns((req) => {
      order.push(`request ${(req as unknown as { n: number }).n}`);
      busy(2);
    }, 0);
    for (let n = 1; n <= 5; n++) handle(fakeRequest(n), fakeResponse([]));
    const timer = new Promise<void>((resolve) => setTimeout(() => resolve(void order.push("timer")), 1));
    expect(order).toEqual([]); // nothing is served in the turn the requests arrived in
    await timer;
    // The rest follow a turn at a time (however busy the machine): wait for the fifth.
    for (let turns = 0; turns < 10_000 && !order.includes("request 5"); turns++) await new Promise((resolve) => setImmediate(resolve));
    expect(order.filter((o) => o.startsWith("request"))).toEqual(["request 1", "request 2", "request 3", "request 4", "request 5"]);
    // The timer did not wait for the whole burst.
    expect(order.indexOf("timer")).toBeLessThan(order.indexOf("request 5"));
  });

  it("a handler that throws has its response destroyed, and the requests after it are served", async () => {
    const served: number[] = [];
    const destroyed: unknown[] = [];
    const handle = servedInTurns((req) => {
      const n = (req as unknown as { n: number }).n;
      if (n === 2) throw new Error("handler failed");
      served.push(n);
    });
    for (let n = 1; n <= 4; n++) handle(fakeRequest(n), fakeResponse(destroyed));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(served).toEqual([1, 3, 4]);
    expect(destroyed).toHaveLength(1);
    expect((destroyed[0] as Error).message).toBe("handler failed");
  });
});

describe("requests served in turns through the app", () => {
  const server = useTestServer();

  /** rawCheck sends POST /v1/check over a socket: the head first, then the body after `delayMs`. */
  function rawCheck(body: string, delayMs: number): Promise<{ status: number; body: unknown }> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1");
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString("utf8");
        const [head, rest] = text.split("\r\n\r\n");
        const length = Number(/content-length: (\d+)/i.exec(head ?? "")?.[1]);
        if (rest !== undefined && Buffer.byteLength(rest) >= length) {
          socket.destroy();
          resolve({ status: Number(head!.split(" ")[1]), body: JSON.parse(rest) });
        }
      });
      socket.on("error", reject);
      socket.write(
        `POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEYS.check}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      setTimeout(() => socket.write(body), delayMs);
    });
  }

  it("answers a check whose body arrives after its headers, and one whose body came with them", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await server.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: `project:${p}#viewer@user:${u}` }] } });
    const body = JSON.stringify({ resource: `project:${p}`, permission: "view", subject: `user:${u}` });
    const late = await rawCheck(body, 50);
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ allowed: true });
    const atOnce = await rawCheck(body, 0);
    expect(atOnce.status).toBe(200);
    expect(atOnce.body).toMatchObject({ allowed: true });
    const bad = await rawCheck(JSON.stringify({ resource: `project:${p}`, permission: "view" }), 50);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: "invalid_request" });
  });

  it("a burst of concurrent checks gets each its own answer", async () => {
    const p = uid("p");
    const users = Array.from({ length: 60 }, (_, i) => uid(`u${i}-`));
    const allowed = users.filter((_, i) => i % 3 === 0);
    await server.call("POST", "/v1/relationships", { body: { updates: allowed.map((u) => ({ operation: "touch", relationship: `project:${p}#viewer@user:${u}` })) } });
    const ask = (u: string) => server.call("POST", "/v1/check", { key: "check", body: { resource: `project:${p}`, permission: "view", subject: `user:${u}` } });
    // Twice: misses first (the engine answers), then hits (the cache answers at once).
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(users.map(ask));
      expect(answers.map((a) => a.status)).toEqual(users.map(() => 200));
      expect(answers.map((a) => a.body.allowed)).toEqual(users.map((u) => allowed.includes(u)));
    }
  });
});
