// expiry-schedule turns each relationship's end (expiresAt) into a change of its own: from
// `margin` before its time to `margin` after, the cache treats it as a change in flight — its
// answers are dropped when the window opens and again when it closes, and no answer it can
// affect is stored in between — so no answer computed on one side of the instant is served on
// the other. A rewritten or deleted relationship leaves its old time behind: one unneeded drop.

import TinyQueue from "tinyqueue";
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
  /** Pending ends, earliest first (tinyqueue's binary heap). */
  private readonly pending = new TinyQueue<Pending>([], (a, b) => a.at - b.at);
  private closing: Array<{ until: number; id: number; impact: Impact }> = [];

  constructor(
    private readonly marginMs: number,
    private readonly windows: ExpiryWindows,
    private readonly drop: (impact: Impact) => void,
  ) {}

  add(at: number, impact: Impact): void {
    this.pending.push({ at, impact });
  }

  /** advance opens the windows that are due and closes the ones that are over; cheap when none are. */
  advance(now: number): void {
    while (this.pending.length > 0 && this.pending.peek()!.at - this.marginMs <= now) {
      const { at, impact } = this.pending.pop()!;
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
    return this.pending.length + this.closing.length;
  }
}
