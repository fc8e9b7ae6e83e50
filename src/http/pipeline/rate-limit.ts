// rate-limit: at most `ratePerSecond` requests per principal (API key or user) per second, with
// some principals exempt; past it, 429 `throttled` with Retry-After: 1. The count is kept by
// express-rate-limit's MemoryStore (a fixed one-second window per principal).
import { MemoryStore } from "express-rate-limit";
import type { Limits } from "../../config.js";
import { DomainError } from "../../domain/errors.js";

/** RateLimit admits a request of the named principal, or throws `throttled`. */
export type RateLimit = (principalName: string) => Promise<void>;

/** createRateLimit makes the limit the configuration asks for; undefined when there is none. */
export function createRateLimit(limits: Pick<Limits, "ratePerSecond" | "rateLimitExempt">): RateLimit | undefined {
  if (limits.ratePerSecond <= 0) return undefined;
  const store = new MemoryStore();
  store.init({ windowMs: 1000 } as Parameters<MemoryStore["init"]>[0]);
  const exempt = new Set(limits.rateLimitExempt.map((name) => `key:${name}`));
  return async (name) => {
    if (exempt.has(name)) return;
    const { totalHits } = await store.increment(name);
    if (totalHits > limits.ratePerSecond) {
      throw new DomainError({ kind: "throttled", detail: `more than ${limits.ratePerSecond} requests per second`, retryAfterSeconds: 1 });
    }
  };
}
