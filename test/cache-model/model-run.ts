// model-run drives the check cache with random interleavings of writes, deletes, expiring
// grants, deletes by filter and checks (alone, in bulk, racing a write) over a small universe
// of objects drawn from a schema, and after every step compares each answer the cache would
// give with a fully consistent engine check. The universe comes from the schema itself: every
// (type, relation, allowed subject type) it declares, over a few ids per type.
import fc from "fast-check";
import { expect } from "vitest";
import type { CheckCache } from "../../src/engine/cache/check-cache.js";
import type { CheckItem, Consistency, Engine, Relationship, RelationshipUpdate } from "../../src/engine/engine.js";
import { parseSchema } from "../../src/engine/schema/parse-schema.js";

export interface ModelEnv {
  /** What the app calls: the check path (cache → coalescer → engine). */
  path: Engine;
  cache: CheckCache;
  /** The engine itself: fully consistent checks to compare with. */
  truth: Pick<Engine, "checkBulk">;
  /** Writes that bypass the cache (another replica, another client); the path by default. */
  direct?: Pick<Engine, "write">;
  /** Cut the cache's watch now (remote). */
  cut?: () => Promise<void>;
  /** Hold the watch's replies (the stream stays up and falls behind), or let them through again (remote). */
  hold?: (held: boolean) => void;
  /** The freshness every answer must meet when compared: the newest write anyone made. */
  compareAt(newestToken: string | undefined): Consistency | undefined;
  /** Wait before comparing (remote: nothing; the freshness rule makes the cache wait or bypass). */
  settle?: (newestToken: string | undefined) => Promise<void>;
}

export interface Universe {
  relationships: Relationship[];
  /** Relationships whose relation allows `with expiration`: the "expiring" steps write these with an expiry. */
  expirable: Relationship[];
  questions: CheckItem[];
}

const IDS = ["a", "b", "c"];

/** Stored contexts for the caveats of the two model schemas: the first passes, the second fails. */
export const CAVEAT_CONTEXTS: Record<string, Array<Record<string, unknown>>> = {
  ip_allowlist: [
    { user_ip: "10.1.2.3", allowed_cidr: "10.0.0.0/8" },
    { user_ip: "192.168.1.1", allowed_cidr: "10.0.0.0/8" },
  ],
  on_weekday: [{ day: 3 }, { day: 7 }],
};

/** universeOf lists every relationship the schema allows over a few ids per type, and the questions to ask. */
export function universeOf(schemaText: string, prefix: string, caveatContexts: Record<string, Array<Record<string, unknown>>> = CAVEAT_CONTEXTS): Universe {
  const schema = parseSchema(schemaText);
  const id = (i: number) => `${prefix}${IDS[i]}`;
  const relationships: Relationship[] = [];
  const expirable: Relationship[] = [];
  const questions: CheckItem[] = [];
  for (const [type, definition] of schema.definitions) {
    for (const [relation, def] of definition.relations) {
      for (const allowed of def.allowed) {
        // Caveated grants: the stored context decides (one passes, one fails), and the cache must keep the two apart.
        const into = allowed.expiration ? expirable : relationships;
        const caveat = allowed.caveat;
        const caveats = caveat ? (caveatContexts[caveat] ?? []).map((context) => ({ name: caveat, context })) : [undefined];
        for (const caveat of caveats) {
          for (let r = 0; r < IDS.length; r++) {
            if (allowed.wildcard) {
              into.push({ resource: { type, id: id(r) }, relation, subject: { type: allowed.type, id: "*" }, ...(caveat ? { caveat } : {}) });
              continue;
            }
            for (let s = 0; s < IDS.length; s++) {
              // A type that holds itself points only "down" (no cycles: the engine would refuse the depth).
              if (allowed.type === type && s >= r) continue;
              into.push({ resource: { type, id: id(r) }, relation, subject: { type: allowed.type, id: id(s), ...(allowed.relation ? { relation: allowed.relation } : {}) }, ...(caveat ? { caveat } : {}) });
            }
          }
        }
      }
    }
    const names = [...definition.permissions.keys(), ...definition.relations.keys()];
    for (let r = 0; r < IDS.length; r++) {
      for (const permission of names) {
        for (let s = 0; s < IDS.length; s++) questions.push({ resource: { type, id: id(r) }, permission, subject: { type: "user", id: id(s) } });
      }
    }
  }
  return { relationships, expirable, questions };
}

type Step =
  | { kind: "touch" | "delete" | "direct"; at: number }
  | { kind: "expiring"; at: number; ms: number }
  | { kind: "filter"; at: number }
  | { kind: "check"; at: number; consistency: number }
  | { kind: "bulk"; at: number; size: number }
  | { kind: "race"; at: number; checks: number }
  | { kind: "wait"; ms: number }
  | { kind: "cut" }
  | { kind: "hold" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("touch" as const), at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("direct" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("expiring" as const), at: fc.nat(), ms: fc.integer({ min: 5, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("filter" as const), at: fc.nat() }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("check" as const), at: fc.nat(), consistency: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("bulk" as const), at: fc.nat(), size: fc.integer({ min: 2, max: 24 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("race" as const), at: fc.nat(), checks: fc.integer({ min: 2, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 1, max: 40 }) }) },
);

export interface ModelReport {
  steps: number;
  compared: number;
  mismatches: number;
  hits: number;
  compareMs: number;
  settleMs: number;
  /** Answers not compared: an expiry's instant fell between the cache's answer and the engine's. */
  skipped: number;
}

/** runModel runs `runs` sequences of `length` steps and returns what was compared; a mismatch fails at once, with fast-check's seed. */
export async function runModel(env: ModelEnv, universe: Universe, options: { runs: number; length: number; seed?: number; cuts?: boolean }): Promise<ModelReport> {
  const report: ModelReport = { steps: 0, compared: 0, mismatches: 0, hits: 0, compareMs: 0, settleMs: 0, skipped: 0 };
  // Remote: the watch is cut now and then, and held behind (its replies kept) for stretches of steps.
  const steps = options.cuts
    ? fc.oneof({ weight: 40, arbitrary: stepArb }, { weight: 1, arbitrary: fc.constant<Step>({ kind: "cut" }) }, { weight: 2, arbitrary: fc.constant<Step>({ kind: "hold" }) })
    : stepArb;
  await fc.assert(
    fc.asyncProperty(fc.array(steps, { minLength: options.length, maxLength: options.length }), async (sequence) => {
      let newest: string | undefined;
      let held = false;
      const truth = new Truth(env.truth);
      const { relationships, expirable, questions } = universe;
      const pick = <T>(list: T[], at: number) => list[at % list.length]!;
      const write = async (updates: RelationshipUpdate[], via: Pick<Engine, "write"> = env.path) => {
        try {
          newest = (await via.write(updates)).zedToken;
        } finally {
          for (const u of updates) truth.changed(u.relationship.expiresAt);
        }
      };
      try {
        for (const step of sequence) {
          report.steps += 1;
          switch (step.kind) {
            case "touch":
            case "delete":
              await write([{ operation: step.kind, relationship: pick(relationships, step.at) }]);
              break;
            case "direct":
              await write([{ operation: "touch", relationship: pick(relationships, step.at) }], env.direct ?? env.path);
              break;
            case "expiring":
              if (expirable.length === 0) break;
              await write([{ operation: "touch", relationship: { ...pick(expirable, step.at), expiresAt: new Date(Date.now() + step.ms) } }]);
              break;
            case "filter": {
              const r = pick(relationships, step.at);
              await write([{ operation: "delete", relationship: r }]);
              truth.changed();
              newest = (await env.path.deleteByFilter({ resourceType: r.resource.type, resourceId: r.resource.id })).zedToken;
              break;
            }
            case "check": {
              const consistency: Consistency | undefined = [undefined, { kind: "minimize_latency" } as const, newest ? { kind: "at_least_as_fresh" as const, token: newest } : undefined, { kind: "full" } as const][step.consistency];
              await env.path.check(pick(questions, step.at), consistency).catch(() => undefined);
              break;
            }
            case "bulk":
              await env.path.checkBulk(Array.from({ length: step.size }, (_, i) => pick(questions, step.at + i * 7))).catch(() => undefined);
              break;
            case "race":
              await Promise.all([
                ...Array.from({ length: step.checks }, (_, i) => env.path.check(pick(questions, step.at + i)).catch(() => undefined)),
                write([{ operation: step.at % 2 ? "touch" : "delete", relationship: pick(relationships, step.at) }]),
              ]);
              break;
            case "wait":
              await new Promise((resolve) => setTimeout(resolve, step.ms));
              break;
            case "cut":
              await env.cut?.();
              break;
            case "hold":
              held = !held;
              env.hold?.(held);
              break;
          }
          const s0 = performance.now();
          await env.settle?.(newest);
          report.settleMs += performance.now() - s0;
          const t0 = performance.now();
          await compare(env, truth, questions, env.compareAt(newest), report);
          report.compareMs += performance.now() - t0;
        }
      } finally {
        // The next sequence starts with the watch flowing.
        if (held) env.hold?.(false);
      }
    }),
    { numRuns: options.runs, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
  );
  return report;
}

/**
 * Truth memoizes the engine's fully consistent answers between changes: an answer depends only
 * on the relationships (changed by the steps' writes alone) and on the clock through expiries,
 * so nothing is remembered while an expiry is near (until 100 ms after its instant).
 */
class Truth {
  private readonly known = new Map<string, string>();
  private expiries: number[] = [];
  constructor(private readonly engine: Pick<Engine, "checkBulk">) {}
  changed(expiresAt?: Date): void {
    this.known.clear();
    if (expiresAt) this.expiries.push(expiresAt.getTime());
  }
  /** crosses: an expiry instant falls between t0 and t1 (with a margin): answers taken at t0 and t1 may rightly differ. */
  crosses(t0: number, t1: number): boolean {
    return this.expiries.some((at) => at >= t0 - 10 && at <= t1 + 10);
  }

  async answers(items: CheckItem[]): Promise<string[]> {
    this.expiries = this.expiries.filter((at) => at + 100 > Date.now());
    if (this.expiries.length > 0) this.known.clear();
    const missing = items.filter((item) => !this.known.has(keyOf(item)));
    if (missing.length > 0) {
      const truth = await this.engine.checkBulk(missing, { kind: "full" });
      missing.forEach((item, i) => {
        const t = truth.results[i]!;
        this.known.set(keyOf(item), t.ok ? t.result.permissionship : `error: ${t.error.message}`);
      });
    }
    return items.map((item) => this.known.get(keyOf(item))!);
  }
}

/** Every SAMPLE-th question is asked of the cache after each step (a different slice each time). */
const SAMPLE = Number(process.env.MODEL_SAMPLE ?? 24);

const keyOf = (item: CheckItem) => `${item.resource.type}:${item.resource.id}#${item.permission}@${item.subject.type}:${item.subject.id}${item.context ? JSON.stringify(item.context) : ""}`;

/** compare: every answer the cache would serve (at the given freshness) equals a fully consistent engine check. */
async function compare(env: ModelEnv, truth: Truth, questions: CheckItem[], at: Consistency | undefined, report: ModelReport): Promise<void> {
  const t0 = Date.now();
  const held = env.cache.cachedAnswers().map((a) => a.item);
  // Besides the held answers, a sample of questions: subject sets answer those too.
  const asked = [...held, ...questions.filter((_, i) => i % SAMPLE === report.steps % SAMPLE)];
  const served = asked.flatMap((item) => {
    const answer = env.cache.checkFromCache(item, at);
    return answer ? [{ item, answer }] : [];
  });
  if (served.length === 0) return;
  report.hits += served.length;
  const expected = await truth.answers(served.map((s) => s.item));
  // The cache answered at t0, the engine a little later: across an expiry's instant both may be
  // right. Such a step is not compared (test/check-cache.test.ts pins expiry on its own).
  if (truth.crosses(t0, Date.now())) {
    report.skipped += served.length;
    return;
  }
  served.forEach(({ item, answer }, i) => {
    report.compared += 1;
    if (expected[i] !== answer.permissionship) report.mismatches += 1;
    expect(answer.permissionship, `${keyOf(item)} after ${report.steps} steps`).toBe(expected[i]);
  });
}
