// check-batcher turns the checks issued together into one POST /v1/check/bulk: those of one
// turn of the event loop (default: every I/O callback of the turn, so the checks of concurrent
// incoming requests share a call), or of one tick (DataLoader's scheduling: after the promise
// jobs of the tick), at most maxBatchSize items per call, identical questions asked once. Checks that differ in consistency or credentials go in
// separate calls. Every caller gets its own answer or error: a bulk item's error stays with its
// item; a 400 naming one item fails that caller and the rest are asked again; a whole-call 403
// (a user token asking about someone else) falls back to single checks, a 413 to halves.
import { AccordError, errorFromItem } from "./errors.js";
import { aborted, type CallOptions } from "./transport.js";
import type { BulkCheckItem, CheckBulkResult, CheckResult, Consistency } from "./types.js";

/** BatchSender makes the calls: many items in one bulk call, or one item on POST /v1/check. */
export interface BatchSender {
  bulk(items: BulkCheckItem[], consistency: Consistency | undefined, call: CallOptions): Promise<CheckBulkResult>;
  single(item: BulkCheckItem, consistency: Consistency | undefined, call: CallOptions): Promise<CheckResult>;
}

interface Waiter {
  resolve(result: CheckResult): void;
  reject(error: unknown): void;
}

/** Question is one distinct check of a batch and everyone waiting for its answer. */
interface Question {
  item: BulkCheckItem;
  waiters: Waiter[];
}

interface Batch {
  consistency: Consistency | undefined;
  call: CallOptions;
  questions: Map<string, Question>;
}

const BULK_ITEM_FIELD = /^items\.(\d+)(?:\.(.+))?$/;

/** BatchWindow: which checks share a call — those of one tick, or of one turn of the event loop. */
export type BatchWindow = "tick" | "turn";

type Schedule = (run: () => void) => void;
const host = globalThis as { process?: { nextTick?: (run: () => void) => void }; setImmediate?: (run: () => void) => unknown };
const nextTick = host.process?.nextTick;
/** afterPromiseJobs runs `run` once the promise jobs queued in this tick have run (as DataLoader does). */
const afterPromiseJobs: Schedule = nextTick ? (run) => void Promise.resolve().then(() => nextTick(run)) : (run) => void setTimeout(run, 0);
/** afterThisTurn runs `run` after this turn's I/O callbacks (setImmediate): concurrent incoming requests share a call. */
const afterThisTurn: Schedule = host.setImmediate ? (run) => void host.setImmediate!(run) : (run) => void setTimeout(run, 0);

export class CheckBatcher {
  private readonly open = new Map<string, Batch>();
  private scheduled = false;
  private readonly credentialIds = new WeakMap<object, number>();
  private nextCredentialId = 1;

  private readonly later: Schedule;

  constructor(
    private readonly sender: BatchSender,
    private readonly maxBatchSize: number,
    window: BatchWindow = "turn",
  ) {
    this.later = window === "tick" ? afterPromiseJobs : afterThisTurn;
  }

  /** load asks one check in the next batch of its kind. */
  load(item: BulkCheckItem, consistency: Consistency | undefined, call: CallOptions): Promise<CheckResult> {
    return new Promise<CheckResult>((resolve, reject) => {
      const waiter = this.guard({ resolve, reject }, call);
      const key = this.batchKey(consistency, call);
      let batch = this.open.get(key);
      if (!batch) {
        batch = { consistency, call: { apiKey: call.apiKey, token: call.token }, questions: new Map() };
        this.open.set(key, batch);
      }
      const questionKey = JSON.stringify([item.resource, item.permission, item.subject, item.context ?? null]);
      const question = batch.questions.get(questionKey);
      if (question) question.waiters.push(waiter);
      else batch.questions.set(questionKey, { item, waiters: [waiter] });
      if (batch.questions.size >= this.maxBatchSize) {
        this.open.delete(key);
        void this.dispatch(batch);
      } else this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.later(() => {
      this.scheduled = false;
      const batches = [...this.open.values()];
      this.open.clear();
      for (const batch of batches) void this.dispatch(batch);
    });
  }

  /** dispatch sends one batch and settles every waiter of it. */
  private async dispatch(batch: Batch): Promise<void> {
    await this.ask([...batch.questions.values()], batch);
  }

  private async ask(questions: Question[], batch: Batch): Promise<void> {
    if (questions.length === 0) return;
    if (questions.length === 1) {
      const question = questions[0]!;
      try {
        settle(question, await this.sender.single(question.item, batch.consistency, batch.call));
      } catch (err) {
        fail(question, err);
      }
      return;
    }
    let answer: CheckBulkResult;
    try {
      answer = await this.sender.bulk(
        questions.map((q) => q.item),
        batch.consistency,
        batch.call,
      );
    } catch (err) {
      return this.askAgain(questions, batch, err);
    }
    questions.forEach((question, i) => {
      const result = answer.results[i];
      if (!result) fail(question, new AccordError({ status: 502, code: "internal", detail: `the bulk answer has no result for item ${i}` }));
      else if ("error" in result) fail(question, errorFromItem(result.error));
      else settle(question, { ...result, zedToken: answer.zedToken });
    });
  }

  /** askAgain handles a failed bulk call: the failing item alone, or smaller calls, or all fail. */
  private async askAgain(questions: Question[], batch: Batch, err: unknown): Promise<void> {
    if (err instanceof AccordError && err.status === 400 && err.field) {
      const match = BULK_ITEM_FIELD.exec(err.field);
      const bad = match ? questions[Number(match[1])] : undefined;
      if (bad) {
        const field = match![2] ?? "body";
        fail(bad, new AccordError({ status: 400, code: err.code, title: err.title, type: err.type, field, detail: err.detail.replace(`${err.field}:`, `${field}:`), requestId: err.requestId }));
        return this.ask(
          questions.filter((q) => q !== bad),
          batch,
        );
      }
    }
    if (err instanceof AccordError && err.status === 403) {
      await Promise.all(questions.map((q) => this.ask([q], batch)));
      return;
    }
    if (err instanceof AccordError && err.status === 413) {
      const half = Math.ceil(questions.length / 2);
      await Promise.all([this.ask(questions.slice(0, half), batch), this.ask(questions.slice(half), batch)]);
      return;
    }
    for (const question of questions) fail(question, err);
  }

  /** guard settles a caller early when its own signal fires or its own deadline passes. */
  private guard(waiter: Waiter, call: CallOptions): Waiter {
    if (!call.signal && call.timeoutMs === undefined) return waiter;
    let done = false;
    const cleanups: Array<() => void> = [];
    const once =
      <T>(settleWith: (value: T) => void) =>
      (value: T) => {
        if (done) return;
        done = true;
        for (const cleanup of cleanups) cleanup();
        settleWith(value);
      };
    const guarded: Waiter = { resolve: once(waiter.resolve), reject: once(waiter.reject) };
    if (call.signal) {
      if (call.signal.aborted) guarded.reject(aborted(call.signal.reason));
      const onAbort = () => guarded.reject(aborted(call.signal?.reason));
      call.signal.addEventListener("abort", onAbort, { once: true });
      cleanups.push(() => call.signal?.removeEventListener("abort", onAbort));
    }
    if (call.timeoutMs !== undefined) {
      const timer = setTimeout(() => guarded.reject(new AccordError({ status: 0, code: "request_timeout", detail: "Accord did not answer before the call's deadline" })), call.timeoutMs);
      cleanups.push(() => clearTimeout(timer));
    }
    return guarded;
  }

  /** batchKey: checks share a call only with the same consistency and the same credentials. */
  private batchKey(consistency: Consistency | undefined, call: CallOptions): string {
    const consistencyKey = consistency === undefined ? "" : typeof consistency === "string" ? consistency : `@${consistency.atLeastAsFresh}`;
    return `${consistencyKey}\u0000${call.apiKey ?? ""}\u0000${call.token ? this.credentialId(call.token) : ""}`;
  }

  private credentialId(provider: object): number {
    let id = this.credentialIds.get(provider);
    if (id === undefined) {
      id = this.nextCredentialId++;
      this.credentialIds.set(provider, id);
    }
    return id;
  }
}

function settle(question: Question, result: CheckResult): void {
  for (const waiter of question.waiters) waiter.resolve(result);
}

function fail(question: Question, error: unknown): void {
  for (const waiter of question.waiters) waiter.reject(error);
}
