// CheckCache answers repeated checks from memory, but only with the answer a fresh engine check
// would give, and keeps those answers through writes that cannot alter them.
//
// What a change drops is derived from the schema (change-impact.ts: the (type, permission)
// pairs that can reach the changed relation, narrowed to the subject for a plain-object
// subject, and to the resource when the relation is read within its object only). What an answer may be stored after is decided by the guard (change-guard.ts: no
// change that could alter it overlapped the engine call). Two sources of changes:
// - local (embedded): the engine tells the cache of every change as it begins and ends; a
//   request's zedToken is always from this engine, so a held answer is fresh enough for it.
// - watch (remote): SpiceDB's Watch tells every replica of every change, with checkpoints. A
//   held answer computed at revision R is correct from R up to the watch's checkpoint W (a
//   change in between would have dropped it), so it serves a request wanting T when T ≤ R or
//   T ≤ W — by default T is this replica's newest write, which serves at once when nothing but
//   this replica's own writes happened since W (proven from the tokens, watch-watermark.ts). A
//   request ahead of all that waits briefly for the watch (watchWaitMs; meanwhile the feed pulls
//   the changes since W on a short watch of its own, watch-feed.ts), then goes to the engine.
//   While the watch is down nothing is answered from memory. Misses are asked at the watch's checkpoint (or T, when fresher), so
//   their answers are at least as fresh as what the cache has seen (watch-watermark.ts).
// Either way: `full` bypasses; conditional (caveated) answers are never stored; expiries are
// changes of their own (expiry-schedule.ts); a schema change drops everything. Changes reach
// the answers through change-intake.ts. Subject sets (subject-sets.ts) follow the same rules.
import { EngineDecorator } from "../engine-decorator.js";
import type { BulkCheckResult, CheckItem, CheckResult, Consistency, Engine, ObservesChanges, Precondition, Relationship, RelationshipUpdate } from "../engine.js";
import { checkKey } from "./check-key.js";
import { inFullyConsistentScope } from "../consistency-scope.js";
import { revisionDecoder, type Revision } from "../revision.js";
import { AnswerStore } from "./answer-store.js";
import { pairKey, type Impact } from "./change-impact.js";
import { LocalGuard, RevisionGuard } from "./change-guard.js";
import { ChangeIntake } from "./change-intake.js";
import { BULK_SET_MIN, SubjectSets, type SubjectSetOptions } from "./subject-sets.js";
import { WatchWatermark, type WatchedEngine } from "./watch-watermark.js";
import { CacheCounters, type CheckCacheStats } from "./cache-stats.js";

export type CacheSource = { kind: "local"; engine: ObservesChanges & Pick<Engine, "readSchema"> } | { kind: "watch"; engine: WatchedEngine };

export interface CheckCacheOptions {
  maxEntries: number;
  source: CacheSource;
  /** Subject sets; undefined turns them off. */
  subjectSets?: SubjectSetOptions;
  /** Remote: how long a request ahead of the watch waits for it before going to the engine. */
  watchWaitMs?: number;
  /** Margin around an expiry's instant (clocks of Accord and the datastore differ by less). */
  expiryMarginMs?: number;
}

export type { CheckCacheStats };

type Plan = { use: false } | { use: true; key: string; item: CheckItem; wanted: Revision | undefined; wantedToken: string | undefined };
type Usable = Extract<Plan, { use: true }>;

export class CheckCache extends EngineDecorator {
  private readonly answers: AnswerStore;
  private readonly sets: SubjectSets | undefined;
  private readonly guard: LocalGuard | RevisionGuard;
  private readonly counters = new CacheCounters();
  private readonly intake: ChangeIntake;
  private stopObserving: (() => void) | undefined;
  /** Remote: how far the watch has come (undefined when local). */
  private readonly watermark: WatchWatermark | undefined;
  /** decode reads a token's revision, remembering the last few (the same tokens come back on every request). */
  private readonly decode = revisionDecoder(256);

  constructor(inner: Engine, private readonly options: CheckCacheOptions) {
    super(inner);
    this.answers = new AnswerStore(options.maxEntries);
    const source = options.source;
    const local = source.kind === "local";
    this.guard = local ? new LocalGuard() : new RevisionGuard();
    this.intake = new ChangeIntake(
      { drop: (impact, at) => this.drop(impact, at), clear: () => this.clear() },
      { guard: this.guard, counters: this.counters, readSchema: () => source.engine.readSchema(), expiryMarginMs: options.expiryMarginMs ?? (local ? 5 : 1_000) },
    );
    if (options.subjectSets) {
      this.sets = new SubjectSets(
        { inner, guard: this.guard, engineConsistency: () => this.engineConsistency(undefined), fresh: (revision, wanted) => this.fresh(revision, wanted) },
        options.subjectSets,
      );
    }
    if (source.kind === "local") {
      const observed = source.engine.observeChanges((change) => this.intake.localChange(change));
      this.intake.boundBy(observed.reaching);
      for (const relationship of observed.expiring) this.intake.scheduleExpiry(relationship);
      this.stopObserving = observed.stop;
    } else {
      this.watermark = new WatchWatermark(source.engine, this.guard as RevisionGuard, this.counters, {
        changes: (event) => this.remoteChange(event.changes, event.zedToken, false),
        schemaChanged: () => this.intake.schemaChanged(),
        lostTrack: () => this.clear(),
      });
    }
  }

  override async check(item: CheckItem, consistency?: Consistency): Promise<CheckResult> {
    const plan = this.plan(item, consistency);
    if (!plan.use) {
      this.counters.bypassed += 1;
      return this.inner.check(item, consistency);
    }
    const found = this.find(plan) ?? (await this.afterWatchWait(plan));
    if (found) return found;
    this.counters.misses += 1;
    this.sets?.noteMiss(plan.item);
    const ticket = this.guard.ticket();
    const result = await this.inner.check(item, this.engineConsistency(plan));
    this.store(plan, result, ticket);
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
      this.counters.bypassed += items.length;
      return this.inner.checkBulk(items, consistency);
    }
    const usable = plans as Usable[];
    const results: Array<BulkCheckResult | undefined> = usable.map((plan) => {
      const found = this.find(plan);
      return found ? { ok: true, result: found } : undefined;
    });
    let missing = results.flatMap((r, i) => (r ? [] : [i]));
    for (const i of missing) this.sets?.noteMiss(usable[i]!.item);
    this.counters.misses += missing.length;
    // Many misses of one subject: wait for its set (one lookup) and answer from it. These stay
    // counted as misses: the engine was asked.
    if (this.sets && missing.length >= BULK_SET_MIN && (await this.sets.awaitSets(missing.map((i) => usable[i]!.item)))) {
      for (const i of missing) {
        const fromSet = this.sets.answer(usable[i]!.item, usable[i]!.wanted);
        if (fromSet) results[i] = { ok: true, result: fromSet };
      }
      missing = results.flatMap((r, i) => (r ? [] : [i]));
    }
    if (missing.length === 0) return { results: results as BulkCheckResult[], zedToken: (results[0] as { result: CheckResult }).result.zedToken };
    const ticket = this.guard.ticket();
    const answered = await this.inner.checkBulk(missing.map((i) => items[i]!), this.engineConsistency(usable[0]!));
    missing.forEach((index, n) => {
      const answer = answered.results[n]!;
      results[index] = answer;
      if (answer.ok) this.store(usable[index]!, answer.result, ticket);
    });
    return { results: results as BulkCheckResult[], zedToken: answered.zedToken };
  }

  // Remote: a write through this replica drops what it can alter at once (the watch repeats it).
  override async write(updates: RelationshipUpdate[], preconditions?: Precondition[]) {
    const result = await this.inner.write(updates, preconditions);
    if (this.watermark) this.remoteChange(updates.map((u) => ({ operation: u.operation === "delete" ? "delete" : "touch", relationship: u.relationship })), result.zedToken, true);
    return result;
  }
  override async deleteByFilter(...args: Parameters<Engine["deleteByFilter"]>) {
    const result = await this.inner.deleteByFilter(...args);
    if (this.watermark) {
      const revision = this.decode(result.zedToken);
      this.intake.filterChangedAt(args[0], revision);
      // The filter's drop covers whatever it deleted: its transaction counts as applied.
      if (revision) this.watermark.ownWrite(revision);
    }
    return result;
  }
  override async writeSchema(schema: string) {
    const result = await this.inner.writeSchema(schema);
    if (this.watermark) this.intake.schemaChanged();
    return result;
  }

  /** stop ends the cache's listening (observer, watch) and leaves the engine open. */
  async stop(): Promise<void> {
    this.stopObserving?.();
    await this.watermark?.close();
    await this.sets?.idle();
  }

  override async close(): Promise<void> {
    await this.stop();
    return this.inner.close();
  }

  stats(): CheckCacheStats {
    return this.counters.snapshot({
      entries: this.answers.size,
      sets: this.sets?.readyCount ?? 0,
      setLookups: this.sets?.lookups ?? 0,
      watch: this.watermark ? { healthy: this.watermark.up, restarts: this.watermark.restarts, pulls: this.watermark.pulls, proven: this.watermark.proven } : undefined,
    });
  }

  /** resetSamples starts the dropped-per-change and watch-lag distributions afresh (the bench, between runs). */
  resetSamples(): void {
    this.counters.resetSamples();
  }

  /** clear forgets every answer (the bench uses it to start each run cold). */
  clear(): void {
    this.answers.clear();
    this.sets?.clear();
  }

  /** idle resolves when no subject-set lookup is running (the bench and tests wait for it). */
  idle(): Promise<void> {
    return this.sets?.idle() ?? Promise.resolve();
  }

  /** cachedAnswers lists every held answer (the model test compares each with the engine). */
  cachedAnswers(): Array<{ item: CheckItem; result: CheckResult }> {
    return [...this.answers.answers()].map(([, a]) => ({ item: a.item, result: a.result }));
  }

  /** caughtUp resolves true once the watch has reached `token` (remote; at once when local), false after `ms`. */
  async caughtUp(token: string, ms: number): Promise<boolean> {
    if (!this.watermark) return true;
    const wanted = this.decode(token);
    if (!wanted) return false;
    return this.watermark.caughtUp(wanted, ms);
  }

  /** answering: the cache can answer and store (remote: the watch is up and past a checkpoint; tests and the bench wait for it). */
  answering(): boolean {
    return !this.watermark || this.watermark.answering();
  }

  private plan(item: CheckItem, consistency: Consistency | undefined): Plan {
    const kind = consistency?.kind ?? "read_your_writes";
    if (kind === "full") return { use: false };
    let wantedToken: string | undefined;
    if (kind === "at_least_as_fresh") wantedToken = (consistency as { token: string }).token;
    else if (kind === "read_your_writes" && this.watermark) {
      // Remote read-your-writes is fully consistent at the engine inside a product rule's lock
      // (another replica may have written) and before this replica has written anything: the
      // cache may not weaken either.
      wantedToken = (this.options.source.engine as WatchedEngine).newestWriteToken();
      if (wantedToken === undefined || inFullyConsistentScope()) return { use: false };
    }
    const wanted = wantedToken === undefined ? undefined : this.decode(wantedToken);
    if (wantedToken !== undefined && !wanted) return { use: false };
    if (this.watermark && !this.watermark.up) return { use: false }; // the watch is down: nothing from memory
    return { use: true, key: checkKey(item), item, wanted, wantedToken };
  }

  /** fresh: an answer at `revision` may serve a request wanting `wanted` (see the file comment). */
  private fresh(revision: Revision | undefined, wanted: Revision | undefined): boolean {
    if (!wanted) return true;
    if (!this.watermark) return revision !== undefined && revision.datastore === wanted.datastore;
    return this.watermark.fresh(revision, wanted);
  }

  /** find answers from an answer or a subject set, counting the hit; a miss changes nothing. */
  private find(plan: Usable): CheckResult | undefined {
    this.intake.advanceExpiries(Date.now());
    const answer = this.answers.get(plan.key);
    if (answer && this.fresh(answer.revision, plan.wanted)) {
      this.counters.hits += 1;
      return answer.result;
    }
    const fromSet = this.sets?.answer(plan.item, plan.wanted);
    if (fromSet) {
      this.counters.hits += 1;
      this.counters.setHits += 1;
    }
    return fromSet;
  }

  /** afterWatchWait: remote, a request ahead of the watch waits for it (bounded) when memory holds something for it. */
  private async afterWatchWait(plan: Usable): Promise<CheckResult | undefined> {
    if (!this.watermark || !plan.wanted || !this.watermark.up || this.watermark.reached(plan.wanted)) return undefined;
    if (!this.answers.get(plan.key)) return undefined;
    await this.watermark.waitFor(plan.wanted, this.options.watchWaitMs ?? 50);
    return this.find(plan);
  }

  /** engineConsistency: what a miss is asked at (remote: the watch's checkpoint, or the request's token when fresher). */
  private engineConsistency(plan: Usable | undefined): Consistency | undefined {
    return this.watermark?.consistencyFor(plan?.wanted, plan?.wantedToken);
  }

  private store(plan: Usable, result: CheckResult, ticket: number): void {
    if (result.permissionship === "conditional") return;
    this.intake.advanceExpiries(Date.now());
    const revision = this.decode(result.zedToken);
    if (this.guard.mayStore(ticket, pairKey(plan.item.resource.type, plan.item.permission), plan.item.subject, revision, plan.item.resource)) {
      this.answers.set(plan.key, plan.item, result, revision);
    }
  }

  /** drop removes what the impact can alter; a change at a known revision spares what was computed at or after it. */
  private drop(impact: Impact, at?: Revision): number {
    const dropped = this.answers.drop(impact, at);
    this.sets?.drop(impact, at);
    return dropped;
  }

  /** remoteChange: changes at a revision (from the watch, or a write of this replica) drop what they can alter. */
  private remoteChange(changes: Array<{ operation: string; relationship: Relationship }>, token: string, ownWrite: boolean): void {
    const revision = this.decode(token);
    this.intake.changedAt(changes, revision);
    if (!ownWrite) {
      const engine = this.options.source.engine as WatchedEngine;
      for (const c of changes) if (c.operation !== "delete" && c.relationship.expiresAt) engine.noteExpiry?.(c.relationship.expiresAt.getTime());
    }
    if (ownWrite && revision) this.watermark!.ownWrite(revision);
  }
}
