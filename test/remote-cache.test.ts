// Pins the remote check cache, fed by SpiceDB's Watch (npm run test:remote: Accord's own gRPC
// endpoint; npm run test:spicedb: a real SpiceDB v1.56.2 on PostgreSQL): writes of another
// SpiceDB client are seen through the watch and drop only what they can alter; while the watch
// is cut nothing is answered from memory, and it resumes from its last revision. The
// model-based run is test/remote-cache-model.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckCache } from "../src/engine/cache/check-cache.js";
import type { CheckItem, RelationshipUpdate } from "../src/engine/engine.js";
import { openBed, type Bed } from "./cache-model/remote-bed.js";
import { SCHEMA, uid } from "./support/test-server.js";
import { REAL_SPICEDB, REMOTE_MODE, TEST_MODE } from "./remote/test-mode.js";

if (!REMOTE_MODE) console.info("remote cache suites: run by npm run test:remote and npm run test:spicedb (embedded mode: test/check-cache.test.ts)");

const item = (resource: string, permission: string, subject: string): CheckItem => {
  const [rt, rid] = resource.split(":");
  const [st, sid] = subject.split(":");
  return { resource: { type: rt!, id: rid! }, permission, subject: { type: st!, id: sid! } };
};
const rel = (resource: string, relation: string, subject: string): RelationshipUpdate => {
  const { resource: r, subject: s } = item(resource, relation, subject);
  return { operation: "touch", relationship: { resource: r, relation, subject: s } };
};
const heldKeys = (cache: CheckCache) => new Set(cache.cachedAnswers().map(({ item: i }) => `${i.resource.type}:${i.resource.id}#${i.permission}@${i.subject.type}:${i.subject.id}`));

describe.runIf(REMOTE_MODE)(`remote check cache fed by the watch (${TEST_MODE})`, () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await openBed(SCHEMA);
  });
  afterAll(async () => {
    await bed?.close();
  });

  async function warm(...items: CheckItem[]) {
    for (const i of items) await bed.cache.check(i);
    const before = bed.cache.stats().hits;
    for (const i of items) await bed.cache.check(i);
    expect(bed.cache.stats().hits).toBe(before + items.length);
  }

  it("repeated checks are answered from memory; a write by another SpiceDB client drops only the answers it can alter, once the watch brings it", async () => {
    const [p, a, b] = [uid("p"), uid("a"), uid("b")];
    await bed.engine.write([rel(`project:${p}`, "viewer", `user:${b}`)]);
    const viewA = item(`project:${p}`, "view", `user:${a}`);
    const viewB = item(`project:${p}`, "view", `user:${b}`);
    await warm(viewA, viewB);
    const { zedToken } = await bed.direct.write([rel(`project:${p}`, "viewer", `user:${a}`)]);
    // Asked at least as fresh as the foreign write: from memory only once the watch has it, and
    // then only what the write cannot alter (b's answer); a's was dropped (answer and set).
    const fresh = { kind: "at_least_as_fresh" as const, token: zedToken };
    expect(await bed.cache.caughtUp(zedToken, 5_000)).toBe(true);
    expect(heldKeys(bed.cache)).not.toContain(`project:${p}#view@user:${a}`);
    expect(bed.cache.checkFromCache(viewA, fresh)).toBeUndefined();
    expect(bed.cache.checkFromCache(viewB, fresh)?.permissionship).toBe("allowed");
    expect((await bed.cache.check(viewA, fresh)).permissionship).toBe("allowed");
  });

  it("a check wanting a revision the watch has not reached pulls the changes since its checkpoint, and is answered from memory (the change it pulled applied)", async () => {
    const [p, q, a, b, c] = [uid("p"), uid("p"), uid("a"), uid("b"), uid("c")];
    await bed.engine.write([rel(`project:${p}`, "viewer", `user:${b}`)]);
    const viewA = item(`project:${p}`, "view", `user:${a}`);
    const viewB = item(`project:${p}`, "view", `user:${b}`);
    await warm(viewA, viewB);
    // The watch's replies are held while another client writes twice: one write the held answers
    // cannot see (another project), one that changes a's. So the checks below are ahead of the
    // watch however fast it is (the embedded endpoint's watch sends a change as it commits).
    bed.proxy.hold();
    let other: string;
    let zedToken: string;
    let answerB: Promise<Awaited<ReturnType<CheckCache["check"]>>>;
    const before = bed.cache.stats();
    let fresh: { kind: "at_least_as_fresh"; token: string };
    try {
      ({ zedToken: other } = await bed.direct.write([rel(`project:${q}`, "viewer", `user:${c}`)]));
      ({ zedToken } = await bed.direct.write([rel(`project:${p}`, "viewer", `user:${a}`)]));
      fresh = { kind: "at_least_as_fresh", token: zedToken };
      expect(bed.cache.checkFromCache(viewB, fresh)).toBeUndefined();
      // b's answer waits for the watch, and the wait starts a pull at once.
      answerB = bed.cache.check(viewB, fresh);
      expect(bed.cache.stats().watch!.pulls).toBeGreaterThan(before.watch!.pulls);
    } finally {
      bed.proxy.release();
    }
    // The pull brings both writes within the wait: b's answer is served from memory.
    expect((await answerB).permissionship).toBe("allowed");
    expect((await bed.cache.check(viewA, fresh)).permissionship).toBe("allowed");
    const after = bed.cache.stats();
    expect(await bed.cache.caughtUp(other, 0)).toBe(true);
    expect(after.hits).toBeGreaterThan(before.hits);
    // a's old answer (denied) was dropped by the pulled change, never served.
    expect(after.misses).toBeGreaterThan(before.misses);
  });

  // PostgreSQL's tokens name their snapshot and a write's own transaction; the embedded engine's
  // gRPC endpoint (npm run test:remote) gives plain numbers, where requests wait for the watch.
  it.runIf(REAL_SPICEDB)("this replica's newest write is answered from memory at once when only its own writes happened since the watch's checkpoint; another client's write in between makes it wait for the watch", async () => {
    const [p, q, a, b, c, d] = [uid("p"), uid("p"), uid("a"), uid("b"), uid("c"), uid("d")];
    const { zedToken: start } = await bed.cache.write([rel(`project:${p}`, "viewer", `user:${b}`)]);
    const viewA = item(`project:${p}`, "view", `user:${a}`);
    const viewB = item(`project:${p}`, "view", `user:${b}`);
    const viewC = item(`project:${p}`, "view", `user:${c}`);
    await warm(viewA, viewB, viewC);
    expect(await bed.cache.caughtUp(start, 5_000)).toBe(true);
    // The watch's connection holds SpiceDB's replies from here: it stays up and brings nothing new.
    bed.proxy.hold();
    const before = bed.cache.stats().watch!;
    try {
      // A write of this replica that no held answer reads: they all serve at its token (the default) at once.
      await bed.cache.write([rel(`project:${q}`, "viewer", `user:${d}`)]);
      expect(bed.cache.checkFromCache(viewB)?.permissionship).toBe("allowed");
      expect(bed.cache.checkFromCache(viewA)?.permissionship).toBe("denied");
      // One that changes a's answer: that answer is gone at once, the others still serve.
      await bed.cache.write([rel(`project:${p}`, "viewer", `user:${a}`)]);
      expect(bed.cache.checkFromCache(viewA)).toBeUndefined();
      expect(bed.cache.checkFromCache(viewB)?.permissionship).toBe("allowed");
      expect((await bed.cache.check(viewA)).permissionship).toBe("allowed");
      expect(bed.cache.stats().watch!.proven).toBe(before.proven + 2);
      // Another client's write, then this replica's: the cache has not seen the first, so nothing
      // is served at the second's token (c's held "denied" would now be wrong) until the watch brings it.
      await bed.direct.write([rel(`project:${p}`, "viewer", `user:${c}`)]);
      await bed.cache.write([rel(`project:${q}`, "viewer", `user:${d}`)]);
      expect(bed.cache.checkFromCache(viewC)).toBeUndefined();
      expect(bed.cache.checkFromCache(viewB)).toBeUndefined();
      expect(bed.cache.stats().watch!.proven).toBe(before.proven + 2);
      expect(bed.cache.stats().watch!.pulls).toBe(before.pulls);
    } finally {
      bed.proxy.release();
    }
    expect(await bed.cache.caughtUp(bed.engine.newestWriteToken()!, 5_000)).toBe(true);
    expect(heldKeys(bed.cache)).not.toContain(`project:${p}#view@user:${c}`);
    expect(bed.cache.checkFromCache(viewB)?.permissionship).toBe("allowed");
    expect((await bed.cache.check(viewC)).permissionship).toBe("allowed");
  });

  it("while the watch is cut nothing is answered from memory; it resumes from its last revision and sees what was written meanwhile", async () => {
    const [p, a, b] = [uid("p"), uid("a"), uid("b")];
    const viewA = item(`project:${p}`, "view", `user:${a}`);
    const viewB = item(`project:${p}`, "view", `user:${b}`);
    await warm(viewA, viewB);
    const restarts = bed.cache.stats().watch!.restarts;
    await bed.proxy.stop();
    for (let i = 0; i < 300 && bed.cache.stats().watch?.healthy; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(bed.cache.stats().watch?.healthy).toBe(false);
    expect(bed.cache.checkFromCache(viewA)).toBeUndefined();
    expect(bed.cache.checkFromCache(viewB)).toBeUndefined();
    // Answers while it is down come from the engine, and are right.
    const { zedToken } = await bed.direct.write([rel(`project:${p}`, "viewer", `user:${a}`)]);
    const before = bed.cache.stats().bypassed;
    expect((await bed.cache.check(viewA, { kind: "at_least_as_fresh", token: zedToken })).permissionship).toBe("allowed");
    expect((await bed.cache.check(viewB)).permissionship).toBe("denied");
    expect(bed.cache.stats().bypassed).toBe(before + 2);
    await bed.proxy.start();
    expect(await bed.cache.caughtUp(zedToken, 10_000)).toBe(true);
    expect(bed.cache.stats().watch!.restarts).toBeGreaterThan(restarts);
    // The write made while the watch was down dropped a's answer when the watch resumed.
    expect(heldKeys(bed.cache)).not.toContain(`project:${p}#view@user:${a}`);
    expect((await bed.cache.check(viewA, { kind: "at_least_as_fresh", token: zedToken })).permissionship).toBe("allowed");
    expect((await bed.cache.check(viewB, { kind: "at_least_as_fresh", token: zedToken })).permissionship).toBe("denied");
  });
});

