// ExpiryTimeline remembers when relationships this process wrote (or replayed) will expire, so
// the check cache can drop its answers the moment one of them ends by itself. It is a priority
// queue of times (tinyqueue's binary heap): cheap to add to, and a deleted or rewritten
// relationship leaves its old time behind, which only costs one unneeded invalidation.
import TinyQueue from "tinyqueue";

export class ExpiryTimeline {
  private readonly times = new TinyQueue<number>([], (a, b) => a - b);

  /** add records that something changes at `at` (ms since the epoch). */
  add(at: number): void {
    this.times.push(at);
  }

  /** passed removes every time ≤ now and says how many there were. */
  passed(now: number): number {
    let count = 0;
    while (this.times.length > 0 && this.times.peek()! <= now) {
      this.times.pop();
      count += 1;
    }
    return count;
  }

  /** earliest is the next pending time, if any. */
  earliest(): number | undefined {
    return this.times.peek();
  }

  get size(): number {
    return this.times.length;
  }
}
