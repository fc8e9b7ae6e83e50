// Pins @accord/client's read-your-writes on the real engine (npm run test:spicedb): 2 Accord
// replicas over 2 SpiceDB nodes on PostgreSQL, behind a round-robin balancer. Each write's
// zedToken, sent by the client as atLeastAsFresh with the check after it (on the other
// replica), is never stale; the same check without it, at minimize_latency, may be.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../tools/cluster/cluster.js";
import { startRoundRobin, type RoundRobin } from "../client/round-robin.js";
import { writeThenCheck } from "../client/write-then-check.js";
import { recordFigure } from "../support/figures.js";
import { startTestCluster } from "./test-cluster.js";

let cluster: Cluster;
let balancer: RoundRobin;
beforeAll(async () => {
  cluster = await startTestCluster({ spicedbNodes: 2, replicas: 2 });
  balancer = await startRoundRobin(cluster.replicas.map((r) => r.url));
}, 180_000);
afterAll(async () => {
  await balancer?.close();
  await cluster?.stop();
});

describe("the client over 2 replicas and 2 SpiceDB nodes", () => {
  it("200 grant/revoke → check pairs on different replicas: none stale with the client's token", async () => {
    const rounds = 200;
    const { stale, controlStale, crossed, checks } = await writeThenCheck(balancer, rounds);
    expect(checks).toBe(rounds);
    expect(crossed).toBe(rounds);
    expect(stale).toBe(0);
    recordFigure("client-read-your-writes-spicedb", `client through a round-robin balancer over 2 replicas and 2 SpiceDB nodes: ${rounds} write→check pairs on different replicas, ${stale} stale with the client's token; ${controlStale} stale without it at minimize_latency`, "spicedb");
  });
});
