// watch-watermark is how far a remote replica's check cache has seen SpiceDB's changes: the
// newest checkpoint W of the watch (watch-feed.ts). A held answer computed at revision R is
// correct from R up to W (a change in between would have dropped it), so it serves a request
// wanting T when T ≤ R or T ≤ W; a miss is asked at W, or at T when fresher, so its answer is at
// least as fresh as what the cache has seen. While the watch is down there is no watermark and
// nothing is answered from memory. It also measures how long this replica's own writes take to
// come back on the watch (the watch lag).
//
// This replica's own writes: by default a request wants the newest write this replica made (T),
// which the watch brings tens of milliseconds later. The cache applied T's changes when T was
// acknowledged, so it knows every change up to W and T's own. If nothing else happened between W
// and T, the cache is exact at T at once. On PostgreSQL that can be proven from the tokens:
// T's snapshot, and the transaction id a write's token names, tell which transactions T sees
// that W does not (revision.ts newlyVisible); when each is a write of this replica whose changes
// the cache applied, T is proven and serves as a watermark of its own until W passes it. Any
// other transaction in between (another replica, another client, SpiceDB's own garbage
// collection, any writer on the same PostgreSQL cluster, an aborted transaction) and the request
// waits for the watch as before. The proof needs no call to SpiceDB.
import type { Consistency, Engine, WatchEvent } from "../engine.js";
import { atLeastAsFresh, newlyVisible, type Revision } from "../revision.js";
import type { CacheCounters } from "./cache-stats.js";
import type { RevisionGuard } from "./change-guard.js";
import { WatchFeed } from "./watch-feed.js";

/** The remote engine as the cache uses it: its watch, and its newest acknowledged write. */
export interface WatchedEngine extends Pick<Engine, "watch" | "readSchema"> {
  newestWriteToken(): string | undefined;
  /** Tell the engine of an expiry it did not write (it makes the expiry visible on time). */
  noteExpiry?(at: number): void;
}

/** What the watch tells the cache besides checkpoints. */
export interface WatchHandlers {
  changes(event: WatchEvent): void;
  schemaChanged(): void;
  /** The watch resumed where it could not continue: what the cache holds can no longer be proven. */
  lostTrack(): void;
}

/** At most this many transaction ids between the watermark and an own write are looked at (more: no proof). */
const PROOF_SPAN = 1_024;
/** Own writes the watch has not passed that are kept (the oldest go first; forgetting one only proves less). */
const OWN_LIMIT = 256;

interface OwnWrite {
  revision: Revision;
  /** Proven: every transaction it sees that the watermark does not is an own write the cache applied. */
  proven: boolean;
}

export class WatchWatermark {
  /** The newest checkpoint; undefined while the watch is down. */
  private mark: { token: string; revision: Revision } | undefined;
  private pendingLag: Array<{ revision: Revision; at: number }> = [];
  /** This replica's writes the watch has not passed yet, their changes applied (see the file comment). */
  private own: OwnWrite[] = [];
  /** Own writes proven exact before the watch passed them. */
  proven = 0;
  private readonly feed: WatchFeed;

  constructor(
    engine: WatchedEngine,
    private readonly guard: RevisionGuard,
    private readonly counters: CacheCounters,
    handlers: WatchHandlers,
  ) {
    this.feed = new WatchFeed(engine, {
      changes: (event) => handlers.changes(event),
      checkpoint: (token, revision) => this.checkpoint(token, revision),
      schemaChanged: () => handlers.schemaChanged(),
      down: (lostTrack) => this.down(lostTrack, handlers),
    });
  }

  /** up: the watch is up (there is a watermark). */
  get up(): boolean {
    return this.mark !== undefined;
  }

  get restarts(): number {
    return this.feed.restarts;
  }

  get pulls(): number {
    return this.feed.pulls;
  }

  /** reached: the watch has passed `wanted`. */
  reached(wanted: Revision): boolean {
    return this.mark !== undefined && atLeastAsFresh(this.mark.revision, wanted);
  }

  /** fresh: an answer at `revision` may serve a request wanting `wanted` (see the file comment). */
  fresh(revision: Revision | undefined, wanted: Revision): boolean {
    if (!this.mark) return false;
    if (atLeastAsFresh(revision, wanted) || atLeastAsFresh(this.mark.revision, wanted)) return true;
    for (const own of this.own) if (own.proven && atLeastAsFresh(own.revision, wanted)) return true;
    return false;
  }

  /** consistencyFor: what a miss is asked at — the watermark, or the request's token when fresher. */
  consistencyFor(wanted: Revision | undefined, wantedToken: string | undefined): Consistency | undefined {
    if (!this.mark) return undefined;
    const { token, revision } = this.mark;
    if (!wanted || atLeastAsFresh(revision, wanted)) return { kind: "at_least_as_fresh", token };
    return { kind: "at_least_as_fresh", token: wantedToken! };
  }

  /** answering: the watch is up and past a checkpoint, so answers can be stored and served. */
  answering(): boolean {
    return this.mark !== undefined && this.guard.storing();
  }

  /** waitFor resolves once a checkpoint has passed `wanted`, or after `ms`. */
  waitFor(wanted: Revision, ms: number): Promise<void> {
    return this.feed.waitFor(wanted, ms);
  }

  /** caughtUp resolves true once the watch has passed `wanted`, false after `ms`. */
  async caughtUp(wanted: Revision, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!this.reached(wanted) && performance.now() < deadline) {
      await this.feed.waitFor(wanted, Math.max(1, deadline - performance.now()));
      // The feed may have passed it while the watch is down (no watermark): look again shortly.
      if (!this.reached(wanted)) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.reached(wanted);
  }

  /**
   * ownWrite: a write of this replica at `revision`, its changes applied to the cache. Its watch
   * lag is measured when a checkpoint passes it; until then it may be proven (file comment).
   */
  ownWrite(revision: Revision): void {
    // A pull may have brought the write before its answer reached this replica: no lag then.
    if (this.reached(revision)) {
      this.counters.watchLag(0);
      return;
    }
    this.pendingLag.push({ revision, at: performance.now() });
    if (!this.mark) return;
    this.own.push({ revision, proven: false });
    if (this.own.length > OWN_LIMIT) this.own.shift();
    this.prove();
  }

  close(): Promise<void> {
    return this.feed.close();
  }

  private checkpoint(token: string, revision: Revision | undefined): void {
    if (!revision) {
      this.mark = undefined;
      this.own = [];
      return;
    }
    this.mark = { token, revision };
    this.guard.checkpoint(revision);
    if (this.own.length > 0) {
      this.own = this.own.filter((own) => !atLeastAsFresh(revision, own.revision));
      this.prove();
    }
    if (this.pendingLag.length === 0) return;
    const now = performance.now();
    this.pendingLag = this.pendingLag.filter((p) => {
      if (!atLeastAsFresh(revision, p.revision)) return true;
      this.counters.watchLag(now - p.at);
      return false;
    });
  }

  /** prove marks the own writes whose every transaction past the watermark is an own write applied. */
  private prove(): void {
    if (!this.mark) return;
    const applied = new Set<bigint>();
    for (const own of this.own) if (own.revision.kind === "snapshot" && own.revision.txid !== undefined) applied.add(own.revision.txid);
    for (const own of this.own) {
      if (own.proven) continue;
      const between = newlyVisible(this.mark.revision, own.revision, PROOF_SPAN);
      if (between?.every((txid) => applied.has(txid))) {
        own.proven = true;
        this.proven += 1;
      }
    }
  }

  private down(lostTrack: boolean, handlers: WatchHandlers): void {
    this.mark = undefined;
    this.own = [];
    this.guard.reset();
    if (lostTrack) handlers.lostTrack();
  }
}
