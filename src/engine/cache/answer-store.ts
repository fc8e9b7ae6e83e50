// answer-store holds cached check answers with three indexes — by (type, permission) pair, by
// subject and by resource — so a change drops exactly the answers its impact names: a
// plain-subject change looks at that subject's answers only, one read within its object at that
// resource's, a wider one at the answers of its pairs. Bounded: past
// maxEntries the oldest answer goes first (insertion order, no bookkeeping on hits).
import type { CheckItem, CheckResult } from "../engine.js";
import { atLeastAsFresh, type Revision } from "../revision.js";
import { objectKeyOf, pairKey, subjectKeyOf, type Impact } from "./change-impact.js";

export interface Answer {
  result: CheckResult;
  /** The revision the engine answered at (undefined when its token could not be read). */
  revision: Revision | undefined;
  item: CheckItem;
  pair: string;
  subjectKey: string;
  resourceKey: string;
}

export class AnswerStore {
  private readonly entries = new Map<string, Answer>();
  private readonly byPair = new Map<string, Set<string>>();
  private readonly bySubject = new Map<string, Set<string>>();
  private readonly byResource = new Map<string, Set<string>>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Answer | undefined {
    return this.entries.get(key);
  }

  set(key: string, item: CheckItem, result: CheckResult, revision: Revision | undefined): void {
    if (this.entries.has(key)) this.delete(key);
    if (this.entries.size >= this.maxEntries) this.delete(this.entries.keys().next().value!);
    const answer: Answer = { result: Object.freeze(result), revision, item, pair: pairKey(item.resource.type, item.permission), subjectKey: subjectKeyOf(item.subject), resourceKey: objectKeyOf(item.resource) };
    this.entries.set(key, answer);
    index(this.byPair, answer.pair, key);
    index(this.bySubject, answer.subjectKey, key);
    index(this.byResource, answer.resourceKey, key);
  }

  /**
   * drop removes every answer the impact can alter and says how many. A change at revision `at`
   * keeps the answers computed at or after it: their snapshot already holds the change (the
   * watch repeats this replica's own writes after their answers were stored).
   */
  drop(impact: Impact, at?: Revision): number {
    if (!at && impact.pairs === "all" && impact.subject === undefined && impact.subjectType === undefined && impact.resource === undefined && impact.resources === undefined) {
      const n = this.entries.size;
      this.clear();
      return n;
    }
    const pairs = impact.pairs;
    const candidates =
      impact.subject !== undefined
        ? [...(this.bySubject.get(impact.subject) ?? [])]
        : impact.resource !== undefined
          ? [...(this.byResource.get(impact.resource) ?? [])]
          : pairs === "all"
            ? [...this.entries.keys()]
            : [...pairs].flatMap((pair) => [...(this.byPair.get(pair) ?? [])]);
    let dropped = 0;
    for (const key of candidates) {
      const answer = this.entries.get(key);
      if (!answer) continue;
      if (pairs !== "all" && !pairs.has(answer.pair)) continue;
      if (impact.subjectType !== undefined && answer.item.subject.type !== impact.subjectType) continue;
      if (impact.resource !== undefined && answer.resourceKey !== impact.resource) continue;
      if (impact.resources !== undefined && !impact.resources.has(answer.resourceKey)) continue;
      if (at && answer.revision && atLeastAsFresh(answer.revision, at)) continue;
      this.delete(key);
      dropped += 1;
    }
    return dropped;
  }

  clear(): void {
    this.entries.clear();
    this.byPair.clear();
    this.bySubject.clear();
    this.byResource.clear();
  }

  /** answers lists what is cached (tests compare every cached answer with the engine). */
  *answers(): IterableIterator<[string, Answer]> {
    yield* this.entries;
  }

  private delete(key: string): void {
    const answer = this.entries.get(key);
    if (!answer) return;
    this.entries.delete(key);
    unindex(this.byPair, answer.pair, key);
    unindex(this.bySubject, answer.subjectKey, key);
    unindex(this.byResource, answer.resourceKey, key);
  }
}

function index(map: Map<string, Set<string>>, name: string, key: string): void {
  let set = map.get(name);
  if (!set) {
    set = new Set();
    map.set(name, set);
  }
  set.add(key);
}

function unindex(map: Map<string, Set<string>>, name: string, key: string): void {
  const set = map.get(name);
  if (!set) return;
  set.delete(key);
  if (set.size === 0) map.delete(name);
}
