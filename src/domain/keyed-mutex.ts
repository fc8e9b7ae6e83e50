// KeyedMutex serializes async work per key (e.g. per organization), so read-check-write
// sequences of product rules (last owner, seat limit, one role per subject) do not
// interleave. In one process it is a queue per key; given a lock that spans processes (the
// PostgreSQL store's advisory locks, in remote mode), each holder of the in-process turn also
// takes that lock, so replicas serialize too, and reads inside it are fully consistent. Engine
// preconditions guard what they can on top.
import { fullyConsistent } from "../engine/consistency-scope.js";

/** CrossProcessLock runs work while holding a lock every replica honours. */
export interface CrossProcessLock {
  runExclusive<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly shared?: CrossProcessLock) {}

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const shared = this.shared;
    // Inside the shared lock, reads see the newest revision: the previous holder may have been another replica.
    const turn = shared ? () => shared.runExclusive(key, () => fullyConsistent(work)) : work;
    const current = previous.then(turn, turn);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return current;
  }
}
