// change-guard keeps an answer out of the cache when a change that can alter it overlapped the
// engine call that computed it — the cache's drop on that change may have come before the
// answer was stored. Two kinds, one question (mayStore):
// - LocalGuard (embedded: every change passes through this process). Changes are numbered when
//   they begin and are "in flight" until they end. A check takes a ticket: the number of the
//   oldest change in flight when it began, or the next one. Its answer may be stored unless a
//   change numbered from the ticket on can affect it. A change older than the log is
//   unknowable, so a ticket older than the log stores nothing.
// - RevisionGuard (remote: changes arrive from the watch, each at its revision). An answer at
//   revision R may be stored unless a known change that can affect it is not included in R.
//   The log keeps changes newer than the last checkpoint but one (the horizon): an answer must
//   be at least as fresh as the horizon, so the changes trimmed before it are in R. After a start
//   or a reset the first checkpoint C is the horizon: every change up to C has been delivered
//   since (the watch's) start or is older than that start, and an answer at R ≥ C includes both.
//   (Waiting for a second checkpoint stored nothing on a quiet datastore: SpiceDB's watch on
//   PostgreSQL sends a new checkpoint only once the revision moves, i.e. after a write.)
import { atLeastAsFresh, type Revision } from "../revision.js";
import type { ObjectRef, SubjectRef } from "../engine.js";
import { affects, type Impact } from "./change-impact.js";

export interface ChangeGuard {
  /** ticket is taken when an engine call for the cache begins. */
  ticket(): number;
  /** mayStore: the answer of (pair, subject) on `resource` (on any resource of the pair, for a subject set) may be stored. */
  mayStore(ticket: number, pair: string, subject: SubjectRef, revision: Revision | undefined, resource?: ObjectRef): boolean;
}

/** LOG_LIMIT bounds the changes kept; past it the oldest go (and older tickets store nothing). */
const LOG_LIMIT = 4096;

interface LocalChange {
  seq: number;
  /** One impact per relationship (or filter) the change touches. */
  impacts: Impact[];
}

export class LocalGuard implements ChangeGuard {
  private next = 0;
  private readonly log: LocalChange[] = [];
  private readonly inFlight = new Map<number, LocalChange>();

  /** begin records a change that is starting; end(seq) when it has ended. */
  begin(impacts: Impact[]): number {
    const change: LocalChange = { seq: this.next++, impacts };
    this.log.push(change);
    this.inFlight.set(change.seq, change);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    return change.seq;
  }

  end(seq: number): void {
    this.inFlight.delete(seq);
  }

  ticket(): number {
    for (const seq of this.inFlight.keys()) return seq; // insertion order: the oldest first
    return this.next;
  }

  mayStore(ticket: number, pair: string, subject: SubjectRef, _revision?: Revision, resource?: ObjectRef): boolean {
    const first = this.log[0]?.seq ?? this.next;
    if (ticket < first) return false;
    for (let i = ticket - first; i < this.log.length; i++) if (this.log[i]!.impacts.some((impact) => affects(impact, pair, subject, resource))) return false;
    return true;
  }
}

interface RevisionChange {
  impact: Impact;
  revision: Revision;
}

export class RevisionGuard implements ChangeGuard {
  private log: RevisionChange[] = [];
  /** While blind (at start, after the log overflowed or the watch restarted), nothing is stored until a checkpoint passes. */
  private blind = true;
  private horizon: Revision | undefined;
  private lastCheckpoint: Revision | undefined;
  /** Expiry windows: changes without a revision, blocking every answer they affect while open. */
  private readonly windows = new Map<number, Impact>();
  private nextWindow = 0;

  /** record notes a change at its revision (from the watch, or a write of this replica); a change whose revision cannot be read calls reset instead. */
  record(impact: Impact, revision: Revision): void {
    this.log.push({ impact, revision });
    // Too many changes between checkpoints: nothing older than now can be proven; start over.
    if (this.log.length > LOG_LIMIT) this.reset();
  }

  /** checkpoint: the watch has delivered every change up to `revision`. */
  checkpoint(revision: Revision): void {
    // The horizon: the checkpoint before this one, or this one when it is the first (file comment).
    const horizon = this.lastCheckpoint ?? revision;
    this.log = this.log.filter((c) => !atLeastAsFresh(horizon, c.revision));
    this.horizon = horizon;
    this.blind = false;
    this.lastCheckpoint = revision;
  }

  /** reset forgets everything known (the watch is restarting from an unknown point). */
  reset(): void {
    this.log = [];
    this.horizon = undefined;
    this.lastCheckpoint = undefined;
    this.blind = true;
  }

  /** openWindow blocks storing affected answers until closeWindow (an expiry around its time). */
  openWindow(impact: Impact): number {
    const id = this.nextWindow++;
    this.windows.set(id, impact);
    return id;
  }

  closeWindow(id: number): void {
    this.windows.delete(id);
  }

  ticket(): number {
    return 0;
  }

  /** storing: answers can be proven now (the watch has passed a checkpoint since it started). */
  storing(): boolean {
    return !this.blind && this.horizon !== undefined;
  }

  mayStore(_ticket: number, pair: string, subject: SubjectRef, revision: Revision | undefined, resource?: ObjectRef): boolean {
    if (this.blind || !revision || !this.horizon || !atLeastAsFresh(revision, this.horizon)) return false;
    for (const impact of this.windows.values()) if (affects(impact, pair, subject, resource)) return false;
    for (const change of this.log) if (affects(change.impact, pair, subject, resource) && !atLeastAsFresh(revision, change.revision)) return false;
    return true;
  }
}
