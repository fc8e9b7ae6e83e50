// expiry-schedule turns each relationship's end (expiresAt) into a change of its own: from
// `margin` before its time to `margin` after, the cache treats it as a change in flight — its
// answers are dropped when the window opens and again when it closes, and no answer it can
// affect is stored in between — so no answer computed on one side of the instant is served on
// the other. A rewritten or deleted relationship leaves its old time behind: one unneeded drop.

import type { Impact } from "./change-impact.js";

interface Pending {
  at: number;
  impact: Impact;
}

export interface ExpiryWindows {
  open(impact: Impact): number;
  close(id: number): void;
}

export class ExpirySchedule {
  private readonly heap: Pending[] = [];
  private closing: Array<{ until: number; id: number; impact: Impact }> = [];

  constructor(
    private readonly marginMs: number,
    private readonly windows: ExpiryWindows,
    private readonly drop: (impact: Impact) => void,
  ) {}

  add(at: number, impact: Impact): void {
    const heap = this.heap;
    heap.push({ at, impact });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= at) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** advance opens the windows that are due and closes the ones that are over; cheap when none are. */
  advance(now: number): void {
    while (this.heap.length > 0 && this.heap[0]!.at - this.marginMs <= now) {
      const { at, impact } = this.pop();
      const id = this.windows.open(impact);
      this.drop(impact);
      this.closing.push({ until: at + this.marginMs, id, impact });
    }
    if (this.closing.length === 0) return;
    const over = this.closing.filter((c) => c.until <= now);
    if (over.length === 0) return;
    this.closing = this.closing.filter((c) => c.until > now);
    for (const c of over) {
      this.drop(c.impact);
      this.windows.close(c.id);
    }
  }

  get size(): number {
    return this.heap.length + this.closing.length;
  }

  private pop(): Pending {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
        if (heap[child]!.at >= heap[i]!.at) break;
        [heap[i], heap[child]] = [heap[child]!, heap[i]!];
        i = child;
      }
    }
    return top;
  }
}
