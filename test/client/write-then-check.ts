// write-then-check is the read-your-writes experiment the replica suites share: through a
// round-robin balancer over Accord replicas, one client grants and revokes a relationship and
// checks it after each write (the check lands on another replica than the write); a control
// without the token asks the same at minimize_latency. Returns the counts; suites assert them.
import { expect } from "vitest";
import { createAccordClient } from "../../packages/client/src/index.js";
import { KEYS, uid } from "../support/test-server.js";
import type { RoundRobin } from "./round-robin.js";

/** tracked: a client whose /v1/check bodies are recorded at its fetch. */
export function tracked(baseUrl: string, apiKey: string) {
  const checks: Array<{ consistency?: unknown }> = [];
  const client = createAccordClient({
    baseUrl,
    apiKey,
    fetch: (input, init) => {
      if (new URL(String(input)).pathname === "/v1/check") checks.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    },
  });
  return { client, checks };
}

export async function writeThenCheck(balancer: RoundRobin, rounds: number) {
  const { client: service, checks } = tracked(balancer.url, KEYS.admin);
  const { client: control } = tracked(balancer.url, KEYS.check);
  const [resource, bob] = [`resource:${uid("r")}`, `user:${uid("bob")}`];
  let stale = 0;
  let controlStale = 0;
  let crossed = 0;
  for (let i = 0; i < rounds; i++) {
    const grant = i % 2 === 0;
    const written = await service.relationships.write({ updates: [{ operation: grant ? "touch" : "delete", relationship: `${resource}#viewer@${bob}` }] });
    expect(service.zedToken).toBe(written.zedToken);
    const writer = balancer.served.length - 1;
    const answer = await service.check({ resource, permission: "view", subject: bob });
    expect(checks.at(-1)!.consistency).toEqual({ atLeastAsFresh: written.zedToken });
    if (balancer.served[writer]!.split(" ")[0] !== balancer.served.at(-1)!.split(" ")[0]) crossed += 1;
    if (answer.allowed !== grant) stale += 1;
    // Without a token, at minimize_latency, another replica may answer from before the write.
    const unfresh = await control.check({ resource, permission: "view", subject: bob, consistency: "minimize_latency" });
    if (unfresh.allowed !== grant) controlStale += 1;
  }
  return { stale, controlStale, crossed, checks: checks.length };
}
