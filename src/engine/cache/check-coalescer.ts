// CheckCoalescer turns single checks that arrive together into one CheckBulkPermissions call.
// SpiceDB dispatches bulk items that share subject and permission together, so one scan of a
// relation answers many resources, and one engine call replaces many (ENGINE-FACTS.md).
//
// Batching is opportunistic, like a group commit: while fewer than `maxInFlight` engine calls
// run, waiting checks leave at the next turn of the event loop (setImmediate: everything parsed
// in the same turn goes together); otherwise they wait for a running call to finish and leave
// with it, at most `maxBatch` at a time. So a lone check never waits for a timer, and under load
// the batches grow by themselves. A batch of one goes as a plain CheckPermission call.
//
// Each batch holds one consistency (checks are grouped by it), so every request keeps its own
// semantics; read-your-writes resolves when the batch leaves, which is after each of its
// checks arrived. A default read inside a fully consistent scope (a product rule under a lock
// shared by replicas, consistency-scope.ts) is grouped as `full`: the batch leaves from another
// request's context, which may not be in that scope. Identical checks in a batch are asked
// once. An item's error rejects only that item's request, with the same EngineError a single
// check would have thrown.
import { checkKey } from "./check-key.js";
import { EngineDecorator } from "../engine-decorator.js";
import { inFullyConsistentScope } from "../consistency-scope.js";
import { EngineError, type CheckItem, type CheckResult, type Consistency, type Engine } from "../engine.js";

const FULL: Consistency = { kind: "full" };

export interface CoalescerOptions {
  /** Most checks in one bulk call. */
  maxBatch: number;
  /** Most engine calls running at once; more checks wait and join the next batch. */
  maxInFlight: number;
}

interface Waiting {
  key: string;
  item: CheckItem;
  resolve(result: CheckResult): void;
  reject(error: unknown): void;
}

interface Group {
  consistency: Consistency | undefined;
  waiting: Waiting[];
}

export interface CoalescerStats {
  checks: number;
  engineCalls: number;
  largestBatch: number;
}

export class CheckCoalescer extends EngineDecorator {
  private readonly groups = new Map<string, Group>();
  private waitingCount = 0;
  private inFlight = 0;
  private scheduled = false;
  private readonly counts: CoalescerStats = { checks: 0, engineCalls: 0, largestBatch: 0 };

  constructor(inner: Engine, private readonly options: CoalescerOptions) {
    super(inner);
  }

  override check(item: CheckItem, asked?: Consistency): Promise<CheckResult> {
    const consistency = (asked === undefined || asked.kind === "read_your_writes") && inFullyConsistentScope() ? FULL : asked;
    return new Promise((resolve, reject) => {
      const groupKey = consistencyKey(consistency);
      let group = this.groups.get(groupKey);
      if (!group) {
        group = { consistency, waiting: [] };
        this.groups.set(groupKey, group);
      }
      group.waiting.push({ key: checkKey(item), item, resolve, reject });
      this.waitingCount += 1;
      this.counts.checks += 1;
      this.schedule();
    });
  }

  stats(): CoalescerStats {
    return { ...this.counts };
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.waitingCount === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    // One batch per consistency group per pass, so no group can starve the others.
    while (this.inFlight < this.options.maxInFlight && this.groups.size > 0) {
      const [groupKey, group] = this.groups.entries().next().value!;
      this.groups.delete(groupKey);
      const batch = group.waiting.splice(0, this.options.maxBatch);
      this.waitingCount -= batch.length;
      if (group.waiting.length > 0) this.groups.set(groupKey, group);
      void this.dispatch(group.consistency, batch);
    }
  }

  private async dispatch(consistency: Consistency | undefined, batch: Waiting[]): Promise<void> {
    this.inFlight += 1;
    this.counts.engineCalls += 1;
    this.counts.largestBatch = Math.max(this.counts.largestBatch, batch.length);
    try {
      if (batch.length === 1) await this.one(consistency, batch[0]!);
      else await this.many(consistency, batch);
    } finally {
      this.inFlight -= 1;
      this.schedule();
    }
  }

  private async one(consistency: Consistency | undefined, waiting: Waiting): Promise<void> {
    try {
      waiting.resolve(await this.inner.check(waiting.item, consistency));
    } catch (err) {
      waiting.reject(err);
    }
  }

  private async many(consistency: Consistency | undefined, batch: Waiting[]): Promise<void> {
    // Identical checks share one bulk item.
    const slotOf = new Map<string, number>();
    const items: CheckItem[] = [];
    for (const waiting of batch) {
      if (!slotOf.has(waiting.key)) {
        slotOf.set(waiting.key, items.length);
        items.push(waiting.item);
      }
    }
    if (items.length === 1) {
      // Every request asked the same thing: one plain check answers them all.
      try {
        const result = await this.inner.check(items[0]!, consistency);
        for (const waiting of batch) waiting.resolve(result);
      } catch (err) {
        for (const waiting of batch) waiting.reject(err);
      }
      return;
    }
    let answered: Awaited<ReturnType<Engine["checkBulk"]>>;
    try {
      answered = await this.inner.checkBulk(items, consistency);
    } catch (err) {
      // The call itself failed (e.g. an invalid token): every check in it fails the same way.
      for (const waiting of batch) waiting.reject(err);
      return;
    }
    for (const waiting of batch) {
      const answer = answered.results[slotOf.get(waiting.key)!];
      if (!answer) waiting.reject(new EngineError({ kind: "internal", message: "the engine returned fewer results than checks" }));
      else if (answer.ok) waiting.resolve(answer.result);
      else waiting.reject(new EngineError(answer.error));
    }
  }
}

function consistencyKey(consistency: Consistency | undefined): string {
  if (!consistency || consistency.kind === "read_your_writes") return "read_your_writes";
  return consistency.kind === "at_least_as_fresh" ? `at_least_as_fresh:${consistency.token}` : consistency.kind;
}
