// Pins the coalescer's handling of the fully consistent scope (src/engine/consistency-scope.ts):
// a product rule's default read under a lock shared by replicas must reach the engine as
// `full`, even when its check leaves in one batch started by a request outside that scope.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckCoalescer } from "../../src/engine/cache/check-coalescer.js";
import { fullyConsistent } from "../../src/engine/consistency-scope.js";
import { EngineDecorator } from "../../src/engine/engine-decorator.js";
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import type { CheckItem, Consistency } from "../../src/engine/engine.js";
import { SCHEMA } from "../support/test-server.js";

/** Recording passes every call to the real engine and notes the consistency each check was asked at. */
class Recording extends EngineDecorator {
  asked: Array<{ resources: string[]; consistency: string }> = [];
  override check(item: CheckItem, consistency?: Consistency) {
    this.asked.push({ resources: [item.resource.id], consistency: consistency?.kind ?? "default" });
    return super.check(item, consistency);
  }
  override checkBulk(items: CheckItem[], consistency?: Consistency) {
    this.asked.push({ resources: items.map((i) => i.resource.id), consistency: consistency?.kind ?? "default" });
    return super.checkBulk(items, consistency);
  }
}

describe("CheckCoalescer and the fully consistent scope", () => {
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    engine = await EmbeddedEngine.open({ schema: SCHEMA });
  });
  afterAll(async () => {
    await engine.close();
  });

  it("sends a default check made inside fullyConsistent as full, apart from the batch of default checks", async () => {
    const recording = new Recording(engine);
    const coalescer = new CheckCoalescer(recording, { maxBatch: 100, maxInFlight: 2 });
    const item = (id: string): CheckItem => ({ resource: { type: "project", id }, permission: "view", subject: { type: "user", id: "ann" } });
    // The request outside the scope schedules the batch first; the scoped one arrives in the same turn.
    const outside = [coalescer.check(item("a")), coalescer.check(item("b"))];
    const inside = fullyConsistent(() => coalescer.check(item("c")));
    await Promise.all([...outside, inside]);
    const scoped = recording.asked.find((call) => call.resources.includes("c"));
    expect(scoped?.consistency).toBe("full");
    expect(recording.asked.find((call) => call.resources.includes("a"))?.consistency).toBe("default");
    // A consistency the caller names is kept inside the scope.
    await fullyConsistent(() => coalescer.check(item("d"), { kind: "minimize_latency" }));
    expect(recording.asked.find((call) => call.resources.includes("d"))?.consistency).toBe("minimize_latency");
  });
});
