// change-intake turns every change the check cache hears of into drops of the answers it can
// alter, and tells the guard of it, so an answer computed across the change is not stored.
// What a change can alter is derived from the schema (change-impact.ts); until the schema is
// read, and after a schema change until it is read again, every change drops everything —
// exact still, only coarser. Expiries are changes of their own, at their instant
// (expiry-schedule.ts). Changes arrive two ways:
// - local (embedded): a change as it begins, and again when it has ended (localChange);
// - at a revision (remote): from the watch, or a write of this replica (changedAt).
import type { EngineChange, Reaching, Relationship, RelationshipFilter } from "../engine.js";
import type { Revision } from "../revision.js";
import { parseSchema } from "../schema/parse-schema.js";
import type { CacheCounters } from "./cache-stats.js";
import { LocalGuard, type RevisionGuard } from "./change-guard.js";
import { EVERYTHING, ImpactRules, type Impact } from "./change-impact.js";
import { ExpirySchedule } from "./expiry-schedule.js";

/** What the intake changes in the cache. */
export interface IntakeTarget {
  /** drop removes what the impact can alter; a change at a known revision spares what was computed at or after it. */
  drop(impact: Impact, at?: Revision): number;
  /** clear forgets every answer. */
  clear(): void;
}

export interface IntakeOptions {
  guard: LocalGuard | RevisionGuard;
  counters: CacheCounters;
  /** Reads the engine's schema, whose rules say what a change can alter. */
  readSchema(): Promise<string>;
  /** Margin around an expiry's instant. */
  expiryMarginMs: number;
}

export class ChangeIntake {
  private rules: ImpactRules | undefined;
  private rulesVersion = 0;
  private readonly guard: LocalGuard | RevisionGuard;
  private readonly counters: CacheCounters;
  private readonly expiries: ExpirySchedule;
  /** Local: the objects that can reach a changed one, read when the change begins (change-impact.ts). */
  private reaching: Reaching | undefined;

  constructor(
    private readonly target: IntakeTarget,
    private readonly options: IntakeOptions,
  ) {
    const guard = options.guard;
    this.guard = guard;
    this.counters = options.counters;
    const windows =
      guard instanceof LocalGuard
        ? { open: (impact: Impact) => guard.begin([impact]), close: (id: number) => guard.end(id) }
        : { open: (impact: Impact) => guard.openWindow(impact), close: (id: number) => guard.closeWindow(id) };
    this.expiries = new ExpirySchedule(options.expiryMarginMs, windows, (impact) => this.target.drop(impact));
    void this.loadRules();
  }

  /** advanceExpiries opens the expiry windows that are due and closes the ones that are over. */
  advanceExpiries(now: number): void {
    this.expiries.advance(now);
  }

  /** boundBy: local changes are bounded by the objects that can reach the changed one (embedded, from the journal). */
  boundBy(reaching: Reaching | undefined): void {
    this.reaching = reaching;
  }

  /** localChange: the embedded engine is about to change; returns what to do when it has. */
  localChange(change: EngineChange): () => void {
    const impacts =
      change.kind === "updates" ? this.impactsOf(change.updates, true) : change.kind === "filter" ? [this.rules?.ofFilter(change.filter) ?? EVERYTHING] : [EVERYTHING];
    if (change.kind === "schema") this.rules = undefined;
    const guard = this.guard as LocalGuard;
    const seq = guard.begin(impacts);
    const dropped = impacts.reduce((sum, impact) => sum + this.target.drop(impact), 0);
    if (change.kind === "updates") for (const u of change.updates) if (u.operation !== "delete") this.scheduleExpiry(u.relationship);
    return () => {
      const more = impacts.reduce((sum, impact) => sum + this.target.drop(impact), 0);
      guard.end(seq);
      this.counters.changed(dropped + more);
      if (change.kind === "schema") void this.loadRules();
    };
  }

  /** changedAt: changes at a revision (from the watch, or a write of this replica) drop what they can alter; expiries are scheduled. */
  changedAt(changes: Array<{ operation: string; relationship: Relationship }>, revision: Revision | undefined): void {
    this.applyImpacts(this.impactsOf(changes), revision);
    for (const c of changes) if (c.operation !== "delete") this.scheduleExpiry(c.relationship);
  }

  /** filterChangedAt: a delete by filter at a revision (a write of this replica). */
  filterChangedAt(filter: RelationshipFilter, revision: Revision | undefined): void {
    this.applyImpacts([this.rules?.ofFilter(filter) ?? EVERYTHING], revision);
  }

  /** schemaChanged (remote): every answer goes, and the rules are read again. */
  schemaChanged(): void {
    this.rules = undefined;
    this.target.clear();
    this.counters.changed(0);
    void this.loadRules();
  }

  /** scheduleExpiry makes a relationship's end a change at its instant. */
  scheduleExpiry(relationship: Relationship): void {
    if (!relationship.expiresAt) return;
    const [impact] = this.impactsOf([{ relationship }]);
    this.expiries.add(relationship.expiresAt.getTime(), impact!);
  }

  /**
   * impactsOf: what each change can alter. `now` (a local change as it begins) bounds it by the
   * objects that can reach the changed one, as the relationships are now; an expiry scheduled for
   * later is not bounded (by its time other relationships may reach the object).
   */
  private impactsOf(changes: Array<{ relationship: Relationship }>, now = false): Impact[] {
    const rules = this.rules;
    if (!rules) return [EVERYTHING];
    return changes.map(({ relationship: r }) => {
      const impact = rules.ofRelationship(r.resource, r.relation, r.subject);
      if (!now || !this.reaching || impact.pairs === "all" || impact.resource !== undefined) return impact;
      const resources = this.reaching(r.resource);
      return resources ? { ...impact, resources } : impact;
    });
  }

  private applyImpacts(impacts: Impact[], revision: Revision | undefined): void {
    const guard = this.guard as RevisionGuard;
    let dropped = 0;
    for (const impact of impacts) {
      dropped += this.target.drop(impact, revision);
      if (revision) guard.record(impact, revision);
    }
    if (!revision) guard.reset(); // a change that cannot be placed: prove nothing until the next checkpoint
    this.counters.changed(dropped);
  }

  /** loadRules reads the engine's schema; until it is read (or after a schema change), every change drops everything. */
  private async loadRules(): Promise<void> {
    const version = ++this.rulesVersion;
    try {
      const rules = new ImpactRules(parseSchema(await this.options.readSchema()));
      if (version === this.rulesVersion) this.rules = rules;
    } catch {
      // Left without rules: exact still, only coarser.
    }
  }
}
