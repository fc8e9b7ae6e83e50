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
// TTL mode (remote: other writers exist, so nothing here can know about their writes). Only
// requests asking `minimize_latency` — which allow SpiceDB itself to answer seconds stale — are
// cached, for a short TTL; every other consistency goes to the engine.
import { EngineDecorator } from "./engine-decorator.js";
import type { BulkCheckResult, CheckItem, CheckResult, Consistency, Engine } from "./engine.js";
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

export interface CheckCacheOptions {
  maxEntries: number;
  freshness: CacheFreshness;
}

export interface CheckCacheStats {
  hits: number;
  misses: number;
  /** Requests the cache may not answer (full consistency, remote non-minimize_latency, …). */
  bypassed: number;
  entries: number;
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
  | { use: true; key: string; wanted: TokenRevision | undefined; engineConsistency: Consistency | undefined };

export class CheckCache extends EngineDecorator {
  private entries = new Map<string, Entry>();
  private epoch = 0;
  private readonly counts = { hits: 0, misses: 0, bypassed: 0 };

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
    const missing = results.flatMap((r, i) => (r ? [] : [i]));
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
    return { ...this.counts, entries: this.entries.size };
  }

  /** clear forgets every answer (the bench uses it to start each run cold). */
  clear(): void {
    this.entries = new Map();
  }

  private plan(item: CheckItem, consistency: Consistency | undefined): Plan {
    const kind = consistency?.kind ?? "read_your_writes";
    if (this.options.freshness.kind === "ttl") {
      return kind === "minimize_latency" ? { use: true, key: checkKey(item), wanted: undefined, engineConsistency: consistency } : { use: false };
    }
    switch (kind) {
      case "full":
        return { use: false };
      case "at_least_as_fresh": {
        const wanted = decodeZedToken((consistency as { token: string }).token);
        return wanted ? { use: true, key: checkKey(item), wanted, engineConsistency: consistency } : { use: false };
      }
      default:
        // minimize_latency is asked of the engine as read-your-writes on a miss, so that what is
        // stored is current, not a seconds-old snapshot; in embedded mode it costs the same.
        return { use: true, key: checkKey(item), wanted: undefined, engineConsistency: undefined };
    }
  }

  private lookup(plan: Plan): CheckResult | undefined {
    if (!plan.use) return undefined;
    this.currentEpoch();
    const entry = this.entries.get(plan.key);
    if (entry && this.fresh(entry, plan.wanted)) {
      this.counts.hits += 1;
      return entry.result;
    }
    this.counts.misses += 1;
    return undefined;
  }

  private fresh(entry: Entry, wanted: TokenRevision | undefined): boolean {
    if (this.options.freshness.kind === "ttl") return entry.until > Date.now();
    if (!wanted) return true;
    const have = entry.revision;
    return have !== undefined && have.datastore === wanted.datastore && have.revision >= wanted.revision;
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
