// subject-sets: a subject that keeps missing on one (resource type, permission) — a user opening
// page after page of one app — gets its whole answer set asked of the engine once, with
// LookupResources at one revision: every resource it holds the permission on. A check of that
// subject, type and permission is then answered from the set (allowed if the resource is in it,
// denied if not) until a change that can affect it; resources found only conditionally
// (caveats) still go to the engine. SpiceDB answers a lookup and a check at one revision alike,
// so a set is as exact as single answers and goes by the same guard and freshness rules.
// Lookups run in the background, two at a time, from a bounded queue (the request that asked
// for one is answered by its own check). A change read within one resource (a share of
// `resource:r`) does not drop the set: r alone is marked unsure and goes to the engine, the rest
// of the set is untouched by it (change-impact.ts). A set larger than maxSetSize is not kept, and all sets
// share an id budget (the oldest dropped first). A bulk call with many misses of one subject,
// type and permission waits for that set instead (one lookup rather than a check per item).
// Each key has one state: counting misses, queued, building, ready, or not to be asked again
// until a change (too large, or refused by the engine).
import { EngineError, type CheckItem, type CheckResult, type Consistency, type Engine } from "../engine.js";
import { atLeastAsFresh, decodeRevision, type Revision } from "../revision.js";
import { affects, pairKey, subjectKeyOf, type Impact } from "./change-impact.js";
import type { ChangeGuard } from "./change-guard.js";

export interface SubjectSetOptions {
  /** Misses of one (subject, resource type, permission) before its set is looked up. */
  after: number;
  /** Largest set kept, in resource ids: a bigger answer is left to single checks. */
  maxSetSize: number;
  /** Resource ids kept across all sets (oldest set dropped first). */
  maxIds: number;
}

interface ReadySet {
  allowed: Set<string>;
  /** Resources the set cannot answer: found only conditionally (caveats), or changed since the lookup. */
  unsure: Set<string>;
  zedToken: string;
  revision: Revision | undefined;
}

/** Each state carries the check it was asked for: its pair and subject say what a change reaches. */
type SetState = { item: CheckItem } & (
  | { kind: "counting"; misses: number }
  | { kind: "queued" }
  | { kind: "building"; done: Promise<void>; stale: boolean }
  | { kind: "ready"; set: ReadySet }
  | { kind: "closed" }
);

/** What the cache lends the sets: the engine, the guard, and its freshness rules. */
export interface SetHost {
  inner: Pick<Engine, "lookupResources">;
  guard: ChangeGuard;
  /** The consistency a lookup for the cache is asked at. */
  engineConsistency(): Consistency | undefined;
  /** Whether an answer at this revision may serve a request wanting `wanted`. */
  fresh(revision: Revision | undefined, wanted: Revision | undefined): boolean;
}

const LOOKUP_PAGE = 1_000;
/** Subject-set lookups running at once: background work must not crowd out the checks. */
const MAX_LOOKUPS = 2;
/** Sets waiting for a lookup; past this a miss does not queue (a later one will). */
const MAX_QUEUED = 256;
/** Miss counters kept; past it they start over. */
const COUNTING_LIMIT = 100_000;
/** A bulk call with at least this many misses of one set key waits for that set. */
export const BULK_SET_MIN = 16;

/** setKeyOf: the set a check may be answered from, or undefined (caveat context, wildcard subject). */
export function setKeyOf(item: CheckItem): string | undefined {
  if (item.context !== undefined || item.subject.id === "*") return undefined;
  return `${item.resource.type}#${item.permission}@${item.subject.type}:${item.subject.id}#${item.subject.relation ?? ""}`;
}

export class SubjectSets {
  private states = new Map<string, SetState>();
  /** Keys of the states past counting (queued, building, ready, closed): the only ones a change can drop. */
  private readonly live = new Set<string>();
  /** Keys of live states by subject (`user:u`): a plain-subject change looks at these only. */
  private readonly bySubject = new Map<string, Set<string>>();
  private queue: string[] = [];
  private running = new Set<Promise<void>>();
  private ids = 0;
  readyCount = 0;
  lookups = 0;

  constructor(private readonly host: SetHost, private readonly options: SubjectSetOptions) {}

  /** answer answers from a ready set, or undefined. */
  answer(item: CheckItem, wanted: Revision | undefined): CheckResult | undefined {
    const key = setKeyOf(item);
    const state = key === undefined ? undefined : this.states.get(key);
    if (state?.kind !== "ready" || state.set.unsure.has(item.resource.id) || !this.host.fresh(state.set.revision, wanted)) return undefined;
    return { permissionship: state.set.allowed.has(item.resource.id) ? "allowed" : "denied", zedToken: state.set.zedToken };
  }

  /** noteMiss counts a miss toward its set, and queues the set's lookup when due. */
  noteMiss(item: CheckItem): void {
    const key = setKeyOf(item);
    if (key === undefined) return;
    const state = this.states.get(key);
    if (state && state.kind !== "counting") return;
    if (!state && this.states.size >= COUNTING_LIMIT) this.forgetCounts();
    const misses = (state?.misses ?? 0) + 1;
    if (misses < this.options.after || this.queue.length >= MAX_QUEUED) {
      this.put(key, { kind: "counting", misses, item: state?.item ?? item });
      return;
    }
    this.put(key, { kind: "queued", item: state?.item ?? item });
    this.queue.push(key);
    while (this.running.size < MAX_LOOKUPS) {
      const worker: Promise<void> = this.drain().finally(() => this.running.delete(worker));
      this.running.add(worker);
    }
  }

  /**
   * awaitSets: for each set key with at least BULK_SET_MIN of a bulk call's misses, waits for
   * its set (taken out of the queue and built now, or already building). Says whether it waited.
   */
  async awaitSets(items: CheckItem[]): Promise<boolean> {
    const counts = new Map<string, { item: CheckItem; count: number }>();
    for (const item of items) {
      const key = setKeyOf(item);
      if (key === undefined) continue;
      const seen = counts.get(key);
      if (seen) seen.count += 1;
      else counts.set(key, { item, count: 1 });
    }
    const waits: Array<Promise<void>> = [];
    for (const [key, { item, count }] of counts) {
      if (count < BULK_SET_MIN) continue;
      const state = this.states.get(key);
      if (state?.kind === "building") waits.push(state.done);
      else if (!state || state.kind === "counting" || state.kind === "queued") {
        if (state?.kind === "queued") this.queue = this.queue.filter((k) => k !== key);
        waits.push(this.build(key, state?.item ?? item));
      }
    }
    await Promise.all(waits);
    return waits.length > 0;
  }

  /**
   * drop forgets every set (and pending lookup) a change with this impact can alter — or, for a
   * change read within one resource (or a few: the objects that can reach it), marks those
   * resources unsure in a ready set; a change at
   * revision `at` leaves the sets looked up at or after it (they already hold the change).
   */
  drop(impact: Impact, at?: Revision): void {
    const keys = impact.subject !== undefined ? this.bySubject.get(impact.subject) : this.live;
    if (!keys || keys.size === 0) return;
    const unsure = impact.resource !== undefined ? [impact.resource] : impact.resources !== undefined ? [...impact.resources] : undefined;
    for (const key of [...keys]) {
      const state = this.states.get(key);
      if (!state || state.kind === "counting") continue; // a miss count changes no answer
      const { item } = state;
      if (!affects(impact, pairKey(item.resource.type, item.permission), item.subject)) continue;
      if (state.kind === "ready" && at && state.set.revision && atLeastAsFresh(state.set.revision, at)) continue;
      if (state.kind === "ready" && unsure && unsure.every((resource) => this.markUnsure(state.set, resource, item.resource.type))) continue;
      if (state.kind === "building") state.stale = true;
      else this.remove(key, state);
    }
    this.queue = this.queue.filter((key) => this.states.get(key)?.kind === "queued");
  }

  clear(): void {
    for (const [key, state] of this.states) {
      if (state.kind === "building") state.stale = true;
      else this.forget(key);
    }
    this.queue = [];
    this.ids = 0;
    this.readyCount = 0;
  }

  /** idle resolves when no lookup is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async drain(): Promise<void> {
    for (let key = this.queue.shift(); key !== undefined; key = this.queue.shift()) {
      const state = this.states.get(key);
      if (state?.kind === "queued") await this.build(key, state.item);
    }
  }

  private build(key: string, item: CheckItem): Promise<void> {
    const state: Extract<SetState, { kind: "building" }> = { kind: "building", item, done: Promise.resolve(), stale: false };
    state.done = this.lookUp(key, item, state);
    this.put(key, state);
    return state.done;
  }

  /** lookUp asks for every resource the subject holds the permission on, at one revision. */
  private async lookUp(key: string, item: CheckItem, state: Extract<SetState, { kind: "building" }>): Promise<void> {
    this.lookups += 1;
    const ticket = this.host.guard.ticket();
    const set: ReadySet = { allowed: new Set(), unsure: new Set(), zedToken: "", revision: undefined };
    let cursor: string | undefined;
    let outcome: SetState | undefined;
    try {
      do {
        const page = await this.host.inner.lookupResources(
          { resourceType: item.resource.type, permission: item.permission, subject: item.subject, limit: LOOKUP_PAGE, cursor },
          this.host.engineConsistency(),
        );
        for (const r of page.resources) (r.permissionship === "conditional" ? set.unsure : set.allowed).add(r.id);
        if (set.allowed.size + set.unsure.size > this.options.maxSetSize) {
          outcome = { kind: "closed", item }; // too large: left to single checks until a change
          break;
        }
        set.zedToken = page.zedToken;
        cursor = page.cursor;
      } while (cursor);
      if (!outcome) {
        set.revision = decodeRevision(set.zedToken);
        const pair = pairKey(item.resource.type, item.permission);
        outcome = this.host.guard.mayStore(ticket, pair, item.subject, set.revision) ? { kind: "ready", item, set } : undefined;
      }
    } catch (err) {
      // A passing failure (unavailable, deadline) lets a later miss try again; any other (an
      // unknown permission, …) keeps the set unasked until the next change.
      const passing = err instanceof EngineError && (err.failure.kind === "unavailable" || err.failure.kind === "deadline_exceeded");
      outcome = passing ? undefined : { kind: "closed", item };
    }
    if (this.states.get(key) !== state) return;
    if (state.stale || !outcome) {
      this.forget(key);
      return;
    }
    if (outcome.kind === "ready") {
      const size = outcome.set.allowed.size + outcome.set.unsure.size;
      for (const oldKey of this.live) {
        if (this.ids + size <= this.options.maxIds) break;
        const old = this.states.get(oldKey);
        if (old?.kind === "ready") this.remove(oldKey, old);
      }
      if (this.ids + size > this.options.maxIds) {
        this.forget(key);
        return;
      }
      this.ids += size;
      this.readyCount += 1;
    }
    this.put(key, outcome);
  }

  /**
   * markUnsure leaves `resource` (`type:id`) of a ready set to the engine, and says whether the
   * set stays (false: it would outgrow its size or the id budget — drop it instead).
   */
  private markUnsure(set: ReadySet, resource: string, type: string): boolean {
    if (!resource.startsWith(`${type}:`)) return true; // another type: not in this set
    const id = resource.slice(type.length + 1);
    if (set.unsure.has(id)) return true;
    if (set.allowed.delete(id)) {
      set.unsure.add(id); // moved: the set does not grow
      return true;
    }
    if (set.allowed.size + set.unsure.size >= this.options.maxSetSize || this.ids >= this.options.maxIds) return false;
    set.unsure.add(id);
    this.ids += 1;
    return true;
  }

  private remove(key: string, state: SetState): void {
    if (state.kind === "ready") {
      this.ids -= state.set.allowed.size + state.set.unsure.size;
      this.readyCount -= 1;
    }
    this.forget(key);
  }

  /** put sets a key's state, keeping the live and subject indexes. */
  private put(key: string, state: SetState): void {
    this.states.set(key, state);
    if (state.kind === "counting") {
      this.unindex(key, state);
      return;
    }
    if (this.live.has(key)) return;
    this.live.add(key);
    const subject = subjectKeyOf(state.item.subject);
    let keys = this.bySubject.get(subject);
    if (!keys) {
      keys = new Set();
      this.bySubject.set(subject, keys);
    }
    keys.add(key);
  }

  /** forget removes a key's state and its index entries. */
  private forget(key: string): void {
    const state = this.states.get(key);
    if (!state) return;
    this.states.delete(key);
    this.unindex(key, state);
  }

  private unindex(key: string, state: SetState): void {
    if (!this.live.delete(key)) return;
    const subject = subjectKeyOf(state.item.subject);
    const keys = this.bySubject.get(subject);
    keys?.delete(key);
    if (keys?.size === 0) this.bySubject.delete(subject);
  }

  private forgetCounts(): void {
    for (const [key, state] of this.states) if (state.kind === "counting") this.forget(key);
  }
}
