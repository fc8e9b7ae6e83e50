// Pins what Accord says when SpiceDB's datastore cannot watch (PostgreSQL without
// track_commit_timestamp): /readyz stays ready and says why watch is unavailable in one line,
// the log says it once at start, and GET /v1/watch answers 503 problem+json at once — not an
// error event later. With the setting on (the cluster's default), watch is available.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../tools/cluster/cluster.js";
import { startTestCluster } from "./test-cluster.js";
import { KEYS } from "../support/test-server.js";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startTestCluster({ spicedbNodes: 1, replicas: 1, postgres: { trackCommitTimestamp: false } });
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
});

describe("a SpiceDB datastore that cannot watch", () => {
  it("is reported by /readyz and the log in one line, and GET /v1/watch is a 503 with the reason", async () => {
    const url = cluster.replicas[0]!.url;
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; watch: string };
    expect(body.status).toBe("ready");
    expect(body.watch).toMatch(/^unavailable: .*track_commit_timestamp=on/);

    const lines = cluster.replicas[0]!.output().split("\n").filter((l) => l.includes("watch unavailable"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("track_commit_timestamp=on");

    const watch = await fetch(`${url}/v1/watch`, { headers: { authorization: `Bearer ${KEYS.admin}` } });
    expect(watch.status).toBe(503);
    expect(watch.headers.get("content-type")).toContain("application/problem+json");
    expect(((await watch.json()) as { detail: string }).detail).toMatch(/^watch unavailable: .*track_commit_timestamp=on/);
  });
});
