// consistency-scope: work run inside `fullyConsistent(…)` reads the engine at its newest
// revision by default (SpiceDB's fully_consistent), instead of "at least as fresh as this
// replica's newest write". Product rules run it while holding a lock shared by every replica:
// the previous holder may have written through another replica, whose write this replica's
// own token does not cover. Reads that name a consistency keep theirs.
import { AsyncLocalStorage } from "node:async_hooks";

const scope = new AsyncLocalStorage<true>();

export function fullyConsistent<T>(work: () => Promise<T>): Promise<T> {
  return scope.run(true, work);
}

/** inFullyConsistentScope is true inside fullyConsistent(…). */
export function inFullyConsistentScope(): boolean {
  return scope.getStore() === true;
}
