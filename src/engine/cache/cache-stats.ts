// cache-stats counts what the check cache does — hits, misses, bypasses, changes and the
// answers each one dropped, the watch's lag behind this replica's own writes — for /metrics
// and the bench. Distributions keep the most recent samples only (bounded memory).

export interface Percentiles {
  p50: number;
  p99: number;
  samples: number;
}

export interface CheckCacheStats {
  hits: number;
  misses: number;
  /** Requests the cache may not answer (full consistency, the watch down, an unreadable token). */
  bypassed: number;
  entries: number;
  /** Hits answered from a subject set (counted in hits too). */
  setHits: number;
  sets: number;
  setLookups: number;
  /** Changes seen (writes, deletes, expiries, schema changes), and the answers they dropped. */
  changes: number;
  dropped: number;
  droppedPerChange: Percentiles;
  /**
   * Remote: whether the watch is up, how often it restarted, the pulls made for requests ahead of
   * it, this replica's writes proven exact before the watch brought them, and its lag behind them (ms).
   */
  watch?: { healthy: boolean; restarts: number; pulls: number; proven: number; lagMs: Percentiles };
}

const SAMPLES = 2_048;

class Recent {
  private readonly values: number[] = [];
  private next = 0;
  add(value: number): void {
    if (this.values.length < SAMPLES) this.values.push(value);
    else this.values[this.next++ % SAMPLES] = value;
  }
  clear(): void {
    this.values.length = 0;
    this.next = 0;
  }
  percentiles(): Percentiles {
    const sorted = [...this.values].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    return { p50: at(50), p99: at(99), samples: sorted.length };
  }
}

export class CacheCounters {
  hits = 0;
  misses = 0;
  bypassed = 0;
  setHits = 0;
  private changes = 0;
  private dropped = 0;
  private readonly perChange = new Recent();
  private readonly lag = new Recent();

  changed(dropped: number): void {
    this.changes += 1;
    this.dropped += dropped;
    this.perChange.add(dropped);
  }

  /** resetSamples starts the distributions afresh (the bench, between runs). */
  resetSamples(): void {
    this.perChange.clear();
    this.lag.clear();
  }

  watchLag(ms: number): void {
    this.lag.add(ms);
  }

  snapshot(extra: { entries: number; sets: number; setLookups: number; watch?: { healthy: boolean; restarts: number; pulls: number; proven: number } }): CheckCacheStats {
    const stats: CheckCacheStats = {
      hits: this.hits,
      misses: this.misses,
      bypassed: this.bypassed,
      setHits: this.setHits,
      entries: extra.entries,
      sets: extra.sets,
      setLookups: extra.setLookups,
      changes: this.changes,
      dropped: this.dropped,
      droppedPerChange: this.perChange.percentiles(),
    };
    if (extra.watch) stats.watch = { ...extra.watch, lagMs: this.lag.percentiles() };
    return stats;
  }
}
