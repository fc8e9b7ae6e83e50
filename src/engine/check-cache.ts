// CheckCache answers repeated checks from memory, but only when a fresh engine check would give
// the same answer.
//
// Exact mode (embedded: Accord is the only writer). The engine's change epoch is a sequence
// lock (see EmbeddedEngine.changeEpoch): an answer is stored only when the epoch was even and
// unchanged from before the engine call until after it — no write, delete, schema change or
// expiry overlapped it — and it is served only while the epoch still has that value. Any change
// therefore empties the whole cache: coarse, but exact without tracking which relationships an
// answer depended on. Requests asking `full` bypass; conditional (caveated) answers are never
// stored; `atLeastAsFresh` is served only from an entry whose revision is at least the token's.
//
// Subject sets (exact mode only). A subject that keeps missing on one (resource type,
// permission) — a user opening page after page of one app — gets its whole answer set asked of
// the engine once, with LookupResources, at one revision: every resource it holds the
// permission on. Until the next change, a check of that subject, type and permission is then
// answered from the set: allowed if the resource is in it, denied if not. SpiceDB answers a
// lookup and a check at one revision alike, so this is as exact as the per-check entries and
// goes by the same epoch; resources the lookup found only conditionally (caveats) still go to
// the engine. Lookups run in the background from a queue, two at a time (the request that asked
// for one is answered by its own check); a set that would hold more than `maxSetSize` ids is not
// kept, and all sets share an id budget (oldest dropped first). A bulk call with BULK_SET_MIN or
// more misses of one subject, type and permission waits for that set instead (one lookup rather
// than a check per item) and is answered from it.
//
// TTL mode (remote: other writers exist, so nothing here can know about their writes). Only
// requests asking `minimize_latency` — which allow SpiceDB itself to answer seconds stale — are
// cached, for a short TTL; every other consistency goes to the engine.
import { EngineDecorator } from "./engine-decorator.js";
import { EngineError, type BulkCheckResult, type CheckItem, type CheckResult, type Consistency, type Engine } from "./engine.js";
import { checkKey } from "./check-key.js";
import { decodeZedToken, type TokenRevision } from "./zed-token.js";

/** ChangeTracking is what an engine offers when it sees every change (the embedded engine). */
export interface ChangeTracking {
  changeEpoch(): number;
}

export function tracksChanges(engine: unknown): engine is ChangeTracking {
  return typeof (engine as Partial<ChangeTracking>).changeEpoch === "function";
}

export type CacheFreshness = { kind: "exact"; changes: ChangeTracking } | { kind: "ttl"; ttlMs: number };

export interface SubjectSetOptions {
  /** Misses of one (subject, resource type, permission) in one epoch before its set is looked up. */
  after: number;
  /** Largest set kept, in resource ids: a bigger answer is left to single checks. */
  maxSetSize: number;
  /** Resource ids kept across all sets (oldest set dropped first). */
  maxIds: number;
}

export interface CheckCacheOptions {
  maxEntries: number;
  freshness: CacheFreshness;
  /** Subject sets (exact mode only); undefined turns them off. */
  subjectSets?: SubjectSetOptions;
}

export interface CheckCacheStats {
  hits: number;
  misses: number;
  /** Requests the cache may not answer (full consistency, remote non-minimize_latency, …). */
  bypassed: number;
  entries: number;
  /** Hits answered from a subject set (counted in hits too). */
  setHits: number;
  /** Subject sets held, and lookups run to build them. */
  sets: number;
  setLookups: number;
}

interface SubjectSet {
  allowed: Set<string>;
  /** Found only conditionally (caveats): these still go to the engine. */
  conditional: Set<string>;
  zedToken: string;
  revision: TokenRevision | undefined;
}

interface Entry {
  result: CheckResult;
  /** Revision of result.zedToken (exact mode); undefined when it could not be read. */
  revision: TokenRevision | undefined;
  /** Expiry time (TTL mode). */
  until: number;
}

/** Plan says how one request may use the cache. */
type Plan =
  | { use: false }
  | { use: true; key: string; item: CheckItem; wanted: TokenRevision | undefined; engineConsistency: Consistency | undefined };

/** DEMAND_LIMIT bounds the miss counters kept per epoch; past it they start over. */
const DEMAND_LIMIT = 100_000;
const LOOKUP_PAGE = 1_000;
/** Subject-set lookups running at once: background work must not crowd out the checks. */
const MAX_LOOKUPS = 2;
/**
 * Subject sets waiting for a lookup. Past this, a miss does not queue its set (a later miss
 * will): the backlog of background engine work stays around a second after a burst.
 */
const MAX_QUEUED = 256;
/**
 * A bulk call with at least this many misses of one (subject, type, permission) waits for that
 * subject's set instead of asking the engine for each item: one lookup answers them all, and
 * every later call of that subject too (the lookup would be made in the background anyway).
 */
const BULK_SET_MIN = 16;

export class CheckCache extends EngineDecorator {
  private entries = new Map<string, Entry>();
  private epoch = 0;
  private readonly counts = { hits: 0, misses: 0, bypassed: 0, setHits: 0, setLookups: 0 };
  private sets = new Map<string, SubjectSet>();
  private setIds = 0;
  private demand = new Map<string, number>();
  /** Set keys whose lookup is running, or that proved too large, in this epoch. */
  private claimed = new Set<string>();
  /** Sets waiting for a lookup, with the epoch they were asked for in (stale ones are skipped). */
  private queued: Array<{ key: string; item: CheckItem; epoch: number }> = [];
  private readonly lookups = new Set<Promise<void>>();
  /** Lookups running, by set key, so a bulk call can wait for the one it needs. */
  private readonly building = new Map<string, Promise<void>>();

  constructor(inner: Engine, private readonly options: CheckCacheOptions) {
    super(inner);
  }

  override async check(item: CheckItem, consistency?: Consistency): Promise<CheckResult> {
    const plan = this.plan(item, consistency);
    if (!plan.use) {
      this.counts.bypassed += 1;
      return this.inner.check(item, consistency);
    }
    const cached = this.lookup(plan);
    if (cached) return cached;
    const started = this.currentEpoch();
    const result = await this.inner.check(item, plan.engineConsistency);
    this.store(plan.key, result, started);
    return result;
  }

  /** checkFromCache answers a hit at once (no promise, nothing asked of the engine); a miss is left to check, which counts it. */
  override checkFromCache(item: CheckItem, consistency?: Consistency): CheckResult | undefined {
    const plan = this.plan(item, consistency);
    return plan.use ? this.find(plan) : undefined;
  }

  override async checkBulk(items: CheckItem[], consistency?: Consistency): Promise<{ results: BulkCheckResult[]; zedToken: string }> {
    const plans = items.map((item) => this.plan(item, consistency));
    if (plans.some((p) => !p.use)) {
      this.counts.bypassed += items.length;
      return this.inner.checkBulk(items, consistency);
    }
    const results: Array<BulkCheckResult | undefined> = plans.map((plan) => {
      const cached = this.lookup(plan);
      return cached ? { ok: true, result: cached } : undefined;
    });
    let missing = results.flatMap((r, i) => (r ? [] : [i]));
    if (missing.length >= BULK_SET_MIN && (await this.awaitSubjectSets(missing.map((i) => plans[i] as Extract<Plan, { use: true }>)))) {
      // Answered from the sets just built where they could be (the epoch is checked again).
      for (const i of missing) {
        const fromSet = this.fromBuiltSet(plans[i] as Extract<Plan, { use: true }>);
        if (fromSet) results[i] = { ok: true, result: fromSet };
      }
      missing = results.flatMap((r, i) => (r ? [] : [i]));
    }
    if (missing.length === 0) return { results: results as BulkCheckResult[], zedToken: (results[0] as { result: CheckResult }).result.zedToken };
    const started = this.currentEpoch();
    const engineConsistency = (plans[0] as Extract<Plan, { use: true }>).engineConsistency;
    const answered = await this.inner.checkBulk(missing.map((i) => items[i]!), engineConsistency);
    missing.forEach((index, n) => {
      const answer = answered.results[n]!;
      results[index] = answer;
      if (answer.ok) this.store((plans[index] as Extract<Plan, { use: true }>).key, answer.result, started);
    });
    return { results: results as BulkCheckResult[], zedToken: answered.zedToken };
  }

  // Writes through this process also empty a TTL cache (exact mode learns of them from the epoch).
  override async write(...args: Parameters<Engine["write"]>) {
    return this.afterChange(await this.inner.write(...args));
  }
  override async deleteByFilter(...args: Parameters<Engine["deleteByFilter"]>) {
    return this.afterChange(await this.inner.deleteByFilter(...args));
  }
  override async writeSchema(schema: string) {
    return this.afterChange(await this.inner.writeSchema(schema));
  }

  stats(): CheckCacheStats {
    return { ...this.counts, entries: this.entries.size, sets: this.sets.size };
  }

  /** clear forgets every answer (the bench uses it to start each run cold). */
  clear(): void {
    this.entries = new Map();
    this.forgetSets();
  }

  private forgetSets(): void {
    if (this.sets.size > 0) this.sets = new Map();
    if (this.demand.size > 0) this.demand = new Map();
    if (this.claimed.size > 0) this.claimed = new Set();
    if (this.queued.length > 0) this.queued = [];
    this.setIds = 0;
  }

  private plan(item: CheckItem, consistency: Consistency | undefined): Plan {
    const kind = consistency?.kind ?? "read_your_writes";
    if (this.options.freshness.kind === "ttl") {
      return kind === "minimize_latency" ? { use: true, key: checkKey(item), item, wanted: undefined, engineConsistency: consistency } : { use: false };
    }
    switch (kind) {
      case "full":
        return { use: false };
      case "at_least_as_fresh": {
        const wanted = decodeZedToken((consistency as { token: string }).token);
        return wanted ? { use: true, key: checkKey(item), item, wanted, engineConsistency: consistency } : { use: false };
      }
      default:
        // minimize_latency is asked of the engine as read-your-writes on a miss, so that what is
        // stored is current, not a seconds-old snapshot; in embedded mode it costs the same.
        return { use: true, key: checkKey(item), item, wanted: undefined, engineConsistency: undefined };
    }
  }

  /** lookup answers from the cache, or counts the miss (and the subject's demand for a set). */
  private lookup(plan: Plan): CheckResult | undefined {
    if (!plan.use) return undefined;
    const found = this.find(plan);
    if (found) return found;
    this.counts.misses += 1;
    this.noteDemand(plan);
    return undefined;
  }

  /** find answers from an entry or a subject set, counting the hit; a miss changes nothing. */
  private find(plan: Extract<Plan, { use: true }>): CheckResult | undefined {
    this.currentEpoch();
    const entry = this.entries.get(plan.key);
    if (entry && this.fresh(entry, plan.wanted)) {
      this.counts.hits += 1;
      return entry.result;
    }
    const fromSet = this.setAnswer(plan);
    if (fromSet) {
      this.counts.hits += 1;
      this.counts.setHits += 1;
    }
    return fromSet;
  }

  private fresh(entry: Entry, wanted: TokenRevision | undefined): boolean {
    if (this.options.freshness.kind === "ttl") return entry.until > Date.now();
    return atLeastAsFresh(entry.revision, wanted);
  }

  /**
   * setKeyOf names the subject set a check may be answered from, or undefined when sets do not
   * apply: they are off, the cache is not exact, the check carries a caveat context, or its
   * subject is a wildcard (user:* asks "may anyone?": a question for a check, not a lookup).
   */
  private setKeyOf(item: CheckItem): string | undefined {
    if (!this.options.subjectSets || this.options.freshness.kind !== "exact" || item.context !== undefined || item.subject.id === "*") return undefined;
    return subjectSetKey(item);
  }

  /** setAnswer answers from the subject's set, if one is held and may answer (nothing counted). */
  private setAnswer(plan: Extract<Plan, { use: true }>): CheckResult | undefined {
    const key = this.setKeyOf(plan.item);
    const set = key === undefined ? undefined : this.sets.get(key);
    return set && answerFromSet(set, plan);
  }

  /** noteDemand counts a miss toward its subject's set, and queues the set's lookup when due. */
  private noteDemand(plan: Extract<Plan, { use: true }>): void {
    const options = this.options.subjectSets;
    const key = this.setKeyOf(plan.item);
    if (!options || key === undefined || this.sets.has(key) || this.claimed.has(key)) return;
    if (this.demand.size >= DEMAND_LIMIT) this.demand = new Map();
    const misses = (this.demand.get(key) ?? 0) + 1;
    this.demand.set(key, misses);
    if (misses >= options.after && this.queued.length < MAX_QUEUED) {
      this.claimed.add(key);
      this.queued.push({ key, item: plan.item, epoch: this.epoch });
      while (this.lookups.size < MAX_LOOKUPS) {
        const worker: Promise<void> = this.drainQueue(options).finally(() => this.lookups.delete(worker));
        this.lookups.add(worker);
      }
    }
  }

  /** drainQueue builds queued sets one after another, skipping those asked for before a change. */
  private async drainQueue(options: SubjectSetOptions): Promise<void> {
    for (let next = this.queued.shift(); next; next = this.queued.shift()) {
      if (next.epoch === this.currentEpoch()) await this.startBuild(next.key, next.item, options);
    }
  }

  private startBuild(key: string, item: CheckItem, options: SubjectSetOptions): Promise<void> {
    const running = this.building.get(key);
    if (running) return running;
    const build = this.buildSubjectSet(key, item, options).finally(() => this.building.delete(key));
    this.building.set(key, build);
    return build;
  }

  /**
   * awaitSubjectSets: for each (subject, type, permission) with at least BULK_SET_MIN of a bulk
   * call's misses, waits for its set — taken out of the queue and looked up now, or already being
   * looked up. Says whether it waited for any.
   */
  private async awaitSubjectSets(plans: Array<Extract<Plan, { use: true }>>): Promise<boolean> {
    const options = this.options.subjectSets;
    if (!options) return false;
    const counts = new Map<string, { item: CheckItem; count: number }>();
    for (const { item } of plans) {
      const key = this.setKeyOf(item);
      if (key === undefined) continue;
      const seen = counts.get(key);
      if (seen) seen.count += 1;
      else counts.set(key, { item, count: 1 });
    }
    const waits: Array<Promise<void>> = [];
    for (const [key, { item, count }] of counts) {
      if (count < BULK_SET_MIN) continue;
      const running = this.building.get(key);
      if (running) {
        waits.push(running);
        continue;
      }
      const at = this.queued.findIndex((q) => q.key === key);
      if (at >= 0) {
        const [queued] = this.queued.splice(at, 1);
        if (queued!.epoch === this.currentEpoch()) waits.push(this.startBuild(key, queued!.item, options));
      } else if (!this.claimed.has(key) && !this.sets.has(key)) {
        // Not queued because the queue was full (under load, many subjects at once): this call
        // needs the set now, and one lookup costs less than its checks.
        this.claimed.add(key);
        waits.push(this.startBuild(key, item, options));
      }
      // Otherwise the set proved too large or was refused: its items go to the engine.
    }
    await Promise.all(waits);
    return waits.length > 0;
  }

  /**
   * fromBuiltSet answers from a set if one is held now. It stays counted as a miss: the engine
   * was asked for it (the lookup counts in setLookups).
   */
  private fromBuiltSet(plan: Extract<Plan, { use: true }>): CheckResult | undefined {
    this.currentEpoch();
    return this.setAnswer(plan);
  }

  /** buildSubjectSet looks up every resource the subject holds the permission on, at one revision. */
  private async buildSubjectSet(key: string, item: CheckItem, options: SubjectSetOptions): Promise<void> {
    const started = this.currentEpoch();
    if (started % 2 !== 0) return;
    this.counts.setLookups += 1;
    const set: SubjectSet = { allowed: new Set(), conditional: new Set(), zedToken: "", revision: undefined };
    let cursor: string | undefined;
    try {
      do {
        const page = await this.inner.lookupResources({ resourceType: item.resource.type, permission: item.permission, subject: item.subject, limit: LOOKUP_PAGE, cursor });
        for (const r of page.resources) (r.permissionship === "conditional" ? set.conditional : set.allowed).add(r.id);
        if (set.allowed.size + set.conditional.size > options.maxSetSize) return; // too large: stays claimed
        set.zedToken = page.zedToken;
        cursor = page.cursor;
      } while (cursor);
    } catch (err) {
      // Single checks carry on. A passing failure (unavailable, deadline) lets a later miss try
      // again; any other (an unknown permission, …) keeps the set unasked until the next change.
      const passing = err instanceof EngineError && (err.failure.kind === "unavailable" || err.failure.kind === "deadline_exceeded");
      if (passing && this.epoch === started) this.claimed.delete(key);
      return;
    }
    // Stored only if nothing changed while the lookup ran (as for single answers).
    if (this.currentEpoch() !== started) return;
    set.revision = decodeZedToken(set.zedToken);
    const size = set.allowed.size + set.conditional.size;
    while (this.setIds + size > options.maxIds && this.sets.size > 0) {
      const [oldest, dropped] = this.sets.entries().next().value!;
      this.sets.delete(oldest);
      this.setIds -= dropped.allowed.size + dropped.conditional.size;
    }
    if (this.setIds + size > options.maxIds) return;
    this.sets.set(key, set);
    this.setIds += size;
    this.claimed.delete(key);
  }

  /** idle resolves when no subject-set lookup is running (the bench and tests wait for it). */
  async idle(): Promise<void> {
    while (this.lookups.size > 0) await Promise.allSettled([...this.lookups]);
  }

  private store(key: string, result: CheckResult, startedAt: number): void {
    if (result.permissionship === "conditional") return;
    // An odd epoch means a change was under way when the engine call began; a different one
    // means a change overlapped it. Either way the answer may already be stale.
    if (startedAt % 2 !== 0 || this.currentEpoch() !== startedAt) return;
    if (this.entries.size >= this.options.maxEntries) {
      // Oldest first (insertion order): cheaper than LRU bookkeeping on every hit.
      this.entries.delete(this.entries.keys().next().value!);
    }
    const ttl = this.options.freshness.kind === "ttl" ? this.options.freshness.ttlMs : 0;
    this.entries.set(key, { result: Object.freeze(result), revision: decodeZedToken(result.zedToken), until: Date.now() + ttl });
  }

  /** currentEpoch reads the engine's epoch and drops every answer when it moved. */
  private currentEpoch(): number {
    if (this.options.freshness.kind === "ttl") return this.epoch;
    const epoch = this.options.freshness.changes.changeEpoch();
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      if (this.entries.size > 0) this.entries = new Map();
      this.forgetSets();
    }
    return epoch;
  }

  private afterChange<T>(result: T): T {
    if (this.options.freshness.kind === "ttl") {
      this.epoch += 2;
      this.entries = new Map();
    }
    return result;
  }
}

/** subjectSetKey names the set a check would be answered from: subject, resource type, permission. */
function subjectSetKey(item: CheckItem): string {
  return `${item.resource.type}#${item.permission}@${item.subject.type}:${item.subject.id}#${item.subject.relation ?? ""}`;
}

/** answerFromSet answers a check from its subject's set, unless the resource is conditional there or the set is not fresh enough. */
function answerFromSet(set: SubjectSet, plan: Extract<Plan, { use: true }>): CheckResult | undefined {
  if (set.conditional.has(plan.item.resource.id) || !atLeastAsFresh(set.revision, plan.wanted)) return undefined;
  return { permissionship: set.allowed.has(plan.item.resource.id) ? "allowed" : "denied", zedToken: set.zedToken };
}

/** atLeastAsFresh says whether an answer at revision `have` may serve a request for `wanted` (exact mode). */
function atLeastAsFresh(have: TokenRevision | undefined, wanted: TokenRevision | undefined): boolean {
  if (!wanted) return true;
  return have !== undefined && have.datastore === wanted.datastore && have.revision >= wanted.revision;
}
