// ExpiryTimeline remembers when relationships this process wrote (or replayed) will expire, so
// the check cache can drop its answers the moment one of them ends by itself. It is a min-heap
// of times: cheap to add to, and a deleted or rewritten relationship leaves its old time behind,
// which only costs one unneeded invalidation.

export class ExpiryTimeline {
  private readonly heap: number[] = [];

  /** add records that something changes at `at` (ms since the epoch). */
  add(at: number): void {
    const heap = this.heap;
    heap.push(at);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = at;
  }

  /** passed removes every time ≤ now and says how many there were. */
  passed(now: number): number {
    let count = 0;
    while (this.heap.length > 0 && this.heap[0]! <= now) {
      this.pop();
      count += 1;
    }
    return count;
  }

  /** earliest is the next pending time, if any. */
  earliest(): number | undefined {
    return this.heap[0];
  }

  get size(): number {
    return this.heap.length;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
