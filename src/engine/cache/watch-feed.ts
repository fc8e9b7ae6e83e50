// watch-feed keeps a remote replica's check cache told of every change SpiceDB makes — by
// this replica, by other replicas, by any other client — through SpiceDB's Watch, with
// checkpoints (how far the stream has come) and schema updates. While the stream is down the
// cache is told so (it then answers nothing from memory); the feed resumes from the last
// checkpoint, so the changes made meanwhile arrive before the next checkpoint does. A resume
// the engine refuses (a checkpoint too old to replay) starts from now, and the cache forgets
// everything it held.
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

export class WatchFeed {
  private readonly stop = new AbortController();
  private waiters: Array<{ wanted: Revision; resolve: () => void }> = [];
  private last: Revision | undefined;
  restarts = 0;
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
          if (event.schemaChanged) this.handlers.schemaChanged();
          if (event.changes.length > 0) this.handlers.changes(event);
          if (event.checkpoint && event.zedToken) {
            from = event.zedToken;
            backoff = 100;
            this.reached(event.zedToken);
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
      this.last = undefined;
      this.handlers.down(lostTrack);
      await new Promise((resolve) => setTimeout(resolve, backoff * (0.5 + Math.random())));
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }

  private reached(token: string): void {
    const revision = decodeRevision(token);
    this.last = revision;
    this.handlers.checkpoint(token, revision);
    if (!revision || this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => atLeastAsFresh(revision, w.wanted));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }
}
