// ExpirySettler makes a relationship's end visible at its time, for the remote engine. SpiceDB
// filters expired relationships by the database clock when it reads, but caches answers by
// revision, and without writes the revision stays put for a quantization window (5 s by
// default): a check right after an expiry could get the answer computed before it. So once an
// expiry this replica knows of has passed (written through it, or seen on the watch), one empty
// write goes first: it changes nothing and gets a new revision, which becomes the newest token.
// For a while after (BUMP_WINDOW_MS) a request asking "at least as fresh as T" is asked at that
// revision instead where it is fresher than T: SpiceDB's optimized revision may still be one
// from before the expiry. Requests for minimize_latency or full are left as they are.
import type { Consistency } from "../engine.js";
import { atLeastAsFresh, decodeRevision, type Revision } from "../revision.js";
import { ExpiryTimeline } from "./expiry-timeline.js";

/** BUMP_WINDOW_MS: longer than SpiceDB's default quantization window (5 s) and its staleness allowance. */
const BUMP_WINDOW_MS = 10_000;

/** What the settler needs of its engine: an empty write, and the acknowledgement of its token. */
export interface SettlingEngine {
  writeNothing(): Promise<string | undefined>;
  acknowledge(token: string | undefined): void;
}

export class ExpirySettler {
  /** When relationships this replica knows of expire. */
  private readonly expiries = new ExpiryTimeline();
  private settling: Promise<void> | undefined;
  /** The empty write that made the last expiry visible, and until when it stands in for older tokens. */
  private bump: { token: string; revision: Revision | undefined; until: number } | undefined;

  constructor(private readonly engine: SettlingEngine) {}

  /** noteExpiry: a relationship expires at `at` (ms since the epoch). */
  noteExpiry(at: number): void {
    this.expiries.add(at);
  }

  /** settle goes before a read: once a known expiry has passed, one empty write (shared by every read waiting for it). */
  async settle(consistency: Consistency | undefined): Promise<void> {
    const kind = consistency?.kind ?? "read_your_writes";
    if ((kind !== "read_your_writes" && kind !== "at_least_as_fresh") || !(this.expiries.earliest()! <= Date.now())) return;
    this.settling ??= (async () => {
      const due = Date.now();
      try {
        const token = await this.engine.writeNothing();
        this.expiries.passed(due);
        if (token) this.bump = { token, revision: decodeRevision(token), until: Date.now() + BUMP_WINDOW_MS };
        this.engine.acknowledge(token);
      } catch {
        // The read goes ahead at the newest freshness known; the next read tries again.
      } finally {
        this.settling = undefined;
      }
    })();
    await this.settling;
  }

  /** freshest is the token to ask "at least as fresh as T" at: the expiry bump where it is fresher. */
  freshest(token: string): string {
    const bump = this.bump;
    if (!bump || bump.until < Date.now()) return token;
    return bump.token !== token && atLeastAsFresh(bump.revision, decodeRevision(token)) ? bump.token : token;
  }
}
