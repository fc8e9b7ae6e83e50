// watch-feed keeps a remote replica's check cache told of every change SpiceDB makes — by
// this replica, by other replicas, by any other client — through SpiceDB's Watch, with
// checkpoints (how far the stream has come) and schema updates. While the stream is down the
// cache is told so (it then answers nothing from memory); the feed resumes from the last
// checkpoint, so the changes made meanwhile arrive before the next checkpoint does. A resume
// the engine refuses (a checkpoint too old to replay) starts from now, and the cache forgets
// everything it held.
// Pulls: SpiceDB's watch on PostgreSQL looks for new transactions every 100 ms when it has
// found none, so the stream trails a fresh write by up to ~100 ms, and a check that wants this
// replica's newest write would wait that long. While a request waits for a revision the stream
// has not reached, the feed opens a short watch of its own from the newest checkpoint: SpiceDB
// reads the transactions since then at once, sends them and a checkpoint, and the pull ends.
// Both streams deliver through one path, which skips what a checkpoint already covers (a
// checkpoint at C means every change up to C has been delivered, by whichever stream sent it),
// so each change reaches the cache once and checkpoints only move forward. One pull at a time;
// a pull that fails or finds nothing within PULL_TIMEOUT_MS changes nothing.
import { EngineError, type Engine, type WatchEvent } from "../engine.js";
import { atLeastAsFresh, decodeRevision, type Revision } from "../revision.js";

export interface FeedHandlers {
  changes(event: WatchEvent): void;
  checkpoint(token: string, revision: Revision | undefined): void;
  schemaChanged(): void;
  /** The stream ended or failed; `lostTrack`: it cannot resume where it was. */
  down(lostTrack: boolean): void;
}

const MAX_BACKOFF_MS = 2_000;
/** How long a pull waits for its checkpoint before it gives up (the main stream goes on regardless). */
const PULL_TIMEOUT_MS = 250;

export class WatchFeed {
  private readonly stop = new AbortController();
  private waiters: Array<{ wanted: Revision; resolve: () => void }> = [];
  private last: Revision | undefined;
  /** The token of the newest checkpoint (the main stream's or a pull's): where a pull starts. */
  private cursor: string | undefined;
  private pulling = false;
  /** Counts the main stream's outages: a pull begun before one delivers nothing after it. */
  private generation = 0;
  restarts = 0;
  /** Pulls made (a short watch from the newest checkpoint, for a request ahead of the stream). */
  pulls = 0;
  private readonly running: Promise<void>;

  constructor(
    private readonly engine: Pick<Engine, "watch">,
    private readonly handlers: FeedHandlers,
  ) {
    this.running = this.loop();
  }

  /** waitFor resolves once a checkpoint at least as fresh as `wanted` has arrived, or after `ms`. */
  waitFor(wanted: Revision, ms: number): Promise<void> {
    if (atLeastAsFresh(this.last, wanted) || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        wanted,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, ms);
      this.waiters.push(waiter);
      this.pull();
    });
  }

  async close(): Promise<void> {
    this.stop.abort();
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters = [];
    await this.running;
  }

  private async loop(): Promise<void> {
    let from: string | undefined;
    let backoff = 100;
    while (!this.stop.signal.aborted) {
      let lostTrack = false;
      try {
        for await (const event of this.engine.watch(from, this.stop.signal, { checkpoints: true, schemaUpdates: true })) {
          this.deliver(event);
          if (event.checkpoint && event.zedToken) {
            from = event.zedToken;
            backoff = 100;
          }
        }
      } catch (err) {
        // Unavailable or a deadline: SpiceDB is away, resume where we were. Anything else (a
        // start cursor it no longer serves, …): start over from now.
        const passing = err instanceof EngineError && (err.failure.kind === "unavailable" || err.failure.kind === "deadline_exceeded");
        if (!passing && from !== undefined) {
          lostTrack = true;
          from = undefined;
        }
      }
      if (this.stop.signal.aborted) return;
      this.restarts += 1;
      this.generation += 1;
      this.last = undefined;
      this.cursor = undefined;
      this.handlers.down(lostTrack);
      await new Promise((resolve) => setTimeout(resolve, backoff * (0.5 + Math.random())));
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }

  /**
   * deliver hands an event of either stream to the cache: changes a checkpoint already covers are
   * skipped, and a checkpoint older than the newest one is (a repeated one is not: the cache
   * counts checkpoints to know when it may store).
   */
  private deliver(event: WatchEvent): void {
    const revision = decodeRevision(event.zedToken);
    const covered = this.last !== undefined && revision !== undefined && atLeastAsFresh(this.last, revision);
    if (!covered) {
      if (event.schemaChanged) this.handlers.schemaChanged();
      if (event.changes.length > 0) this.handlers.changes(event);
    }
    if (event.checkpoint && event.zedToken && (this.last === undefined || revision === undefined || atLeastAsFresh(revision, this.last))) this.reached(event.zedToken);
  }

  /** pull starts a pull unless one is running or the main stream is down (see the file comment). */
  private pull(): void {
    if (this.pulling || this.cursor === undefined || this.stop.signal.aborted) return;
    this.pulling = true;
    void this.pullOnce().finally(() => {
      this.pulling = false;
      if (this.waiters.some((w) => !atLeastAsFresh(this.last, w.wanted))) this.pull();
    });
  }

  /** pullOnce reads the changes since the newest checkpoint on a watch of its own, up to its first checkpoint. */
  private async pullOnce(): Promise<void> {
    this.pulls += 1;
    const generation = this.generation;
    const abort = new AbortController();
    const onStop = () => abort.abort();
    this.stop.signal.addEventListener("abort", onStop, { once: true });
    const timer = setTimeout(() => abort.abort(), PULL_TIMEOUT_MS);
    try {
      for await (const event of this.engine.watch(this.cursor, abort.signal, { checkpoints: true, schemaUpdates: true })) {
        if (generation !== this.generation) return;
        this.deliver(event);
        if (event.checkpoint) return;
      }
    } catch {
      // A pull that fails changes nothing: the main stream goes on.
    } finally {
      clearTimeout(timer);
      abort.abort();
      this.stop.signal.removeEventListener("abort", onStop);
    }
  }

  private reached(token: string): void {
    const revision = decodeRevision(token);
    this.last = revision;
    this.cursor = revision ? token : undefined;
    this.handlers.checkpoint(token, revision);
    if (!revision || this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => atLeastAsFresh(revision, w.wanted));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }
}
