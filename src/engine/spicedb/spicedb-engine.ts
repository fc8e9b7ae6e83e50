// SpiceDbEngine is what the embedded and the remote engine have in common. Both speak SpiceDB's
// v1 API: they differ in how a message travels (their SpiceDbTransport) and in what each adds
// around a call — the embedded engine its journal and change notices, the remote engine its
// expiry settling and the fully consistent scope. Held here once: every request built and every
// answer read, the limit of updates per write, read-your-writes (the newest zedToken a write
// acknowledged stands in for "as fresh as my own writes"), and the watch.
import { v1 } from "@authzed/authzed-node";
import {
  EngineError,
  type CheckItem,
  type CheckResult,
  type Consistency,
  type Engine,
  type ExpandNode,
  type ExplainResult,
  type LookupResourcesPage,
  type LookupResourcesRequest,
  type LookupSubjectsRequest,
  type LookupSubjectsResult,
  type ObjectRef,
  type Precondition,
  type ReadRelationshipsPage,
  type RelationshipFilter,
  type RelationshipUpdate,
  type WatchAvailability,
  type WatchEvent,
  type WatchOptions,
  type WriteResult,
} from "../engine.js";
import { toConsistency } from "./consistency-codec.js";
import { fromExpandTree, fromTrace, toCheckRequest } from "./permission-codec.js";
import { toObjectReference, toPreconditions, toRelationshipFilter, toRelationshipUpdate } from "./relationship-codec.js";
import * as messages from "./spicedb-messages.js";
import type { SpiceDbTransport } from "./spicedb-transport.js";
import { watchEventOf, watchRequest } from "./watch-stream.js";

/** MAX_UPDATES is SpiceDB's default limit of updates per WriteRelationships call. */
export const MAX_UPDATES = 1000;

/** checkUpdateLimit refuses a write SpiceDB would refuse, before anything is sent (or announced). */
export function checkUpdateLimit(updates: RelationshipUpdate[]): void {
  if (updates.length > MAX_UPDATES) {
    throw new EngineError({ kind: "invalid_argument", message: `a write takes at most ${MAX_UPDATES} updates` });
  }
}

export abstract class SpiceDbEngine<Transport extends SpiceDbTransport = SpiceDbTransport> implements Engine {
  private newestToken: string | undefined;

  protected constructor(protected readonly transport: Transport) {}

  /** beforeRead, when an engine has it, runs before every read and check (the remote engine settles expiries). */
  protected beforeRead?(consistency: Consistency | undefined): Promise<void>;

  /** consistency resolves a request's consistency; read_your_writes is "at least as fresh as my newest write". */
  protected consistency(consistency?: Consistency): v1.Consistency {
    return toConsistency(consistency, this.newestToken);
  }

  async check(item: CheckItem, consistency?: Consistency): Promise<CheckResult> {
    if (this.beforeRead) await this.beforeRead(consistency);
    const response = await this.transport.checkPermission(toCheckRequest(item, this.consistency(consistency)));
    return messages.checkResultOf(response);
  }

  /** explain is a traced check: the result and the sub-problems SpiceDB solved for it. */
  async explain(item: CheckItem, consistency?: Consistency): Promise<ExplainResult> {
    if (this.beforeRead) await this.beforeRead(consistency);
    const response = await this.transport.checkPermission(toCheckRequest(item, this.consistency(consistency), true));
    const trace = response.debugTrace?.check;
    return { result: messages.checkResultOf(response), trace: trace ? fromTrace(trace) : undefined };
  }

  async checkBulk(items: CheckItem[], consistency?: Consistency) {
    if (this.beforeRead) await this.beforeRead(consistency);
    const response = await this.transport.checkBulkPermissions(messages.checkBulkRequest(items, this.consistency(consistency)));
    return messages.checkBulkResultOf(response);
  }

  async expand(resource: ObjectRef, permission: string, consistency?: Consistency): Promise<ExpandNode> {
    if (this.beforeRead) await this.beforeRead(consistency);
    const response = await this.transport.expandPermissionTree({ consistency: this.consistency(consistency), resource: toObjectReference(resource), permission });
    return fromExpandTree(response.treeRoot);
  }

  async lookupResources(request: LookupResourcesRequest, consistency?: Consistency): Promise<LookupResourcesPage> {
    if (this.beforeRead) await this.beforeRead(consistency);
    const { message, paged } = messages.lookupResourcesRequest(request, () => this.consistency(consistency));
    const responses = await this.transport.lookupResources(message);
    return messages.lookupResourcesPageOf(responses, request.limit, paged, messages.askedAtToken(paged.consistency, this.newestToken));
  }

  async lookupSubjects(request: LookupSubjectsRequest, consistency?: Consistency): Promise<LookupSubjectsResult> {
    if (this.beforeRead) await this.beforeRead(consistency);
    const message = messages.lookupSubjectsRequest(request, this.consistency(consistency));
    const responses = await this.transport.lookupSubjects(message);
    return messages.lookupSubjectsResultOf(responses, messages.askedAtToken(message.consistency!, this.newestToken));
  }

  async readRelationships(filter: RelationshipFilter, page: { limit: number; cursor?: string }, consistency?: Consistency): Promise<ReadRelationshipsPage> {
    if (this.beforeRead) await this.beforeRead(consistency);
    const { message, paged } = messages.readRelationshipsRequest(filter, page, () => this.consistency(consistency));
    const responses = await this.transport.readRelationships(message);
    return messages.readRelationshipsPageOf(responses, page.limit, paged, messages.askedAtToken(paged.consistency, this.newestToken));
  }

  async readSchema(): Promise<string> {
    const response = await this.transport.readSchema({});
    return response.schemaText;
  }

  async write(updates: RelationshipUpdate[], preconditions?: Precondition[]): Promise<WriteResult> {
    checkUpdateLimit(updates);
    return this.acknowledge(await this.sendWrite(updates, preconditions));
  }

  async deleteByFilter(filter: RelationshipFilter, preconditions?: Precondition[]): Promise<WriteResult> {
    return this.acknowledge(await this.sendDelete(filter, preconditions));
  }

  async writeSchema(schema: string): Promise<WriteResult> {
    return this.acknowledge(await this.sendSchema(schema));
  }

  /** watch streams changes after `fromToken`, or after this engine's newest write without one. */
  async *watch(fromToken: string | undefined, signal: AbortSignal, options?: WatchOptions): AsyncIterable<WatchEvent> {
    const start = fromToken ?? this.newestToken;
    for await (const response of this.transport.watch(watchRequest(start, options), signal)) yield watchEventOf(response);
  }

  /** newestWriteToken is the token of the newest write this engine acknowledged (read-your-writes). */
  newestWriteToken(): string | undefined {
    return this.newestToken;
  }

  abstract ready(): Promise<boolean>;
  abstract watchAvailability(): Promise<WatchAvailability>;
  abstract close(): Promise<void>;

  /** sendWrite makes one WriteRelationships call (≤ MAX_UPDATES) and returns its token, not yet acknowledged. */
  protected async sendWrite(updates: RelationshipUpdate[], preconditions: Precondition[] | undefined): Promise<string | undefined> {
    const response = await this.transport.writeRelationships(
      v1.WriteRelationshipsRequest.create({ updates: updates.map(toRelationshipUpdate), optionalPreconditions: toPreconditions(preconditions) }),
    );
    return response.writtenAt?.token;
  }

  /** sendDelete deletes every relationship matching the filter, atomically (never partially), and returns its token. */
  protected async sendDelete(filter: RelationshipFilter, preconditions: Precondition[] | undefined): Promise<string | undefined> {
    const response = await this.transport.deleteRelationships(
      v1.DeleteRelationshipsRequest.create({
        relationshipFilter: toRelationshipFilter(filter),
        optionalPreconditions: toPreconditions(preconditions),
        optionalLimit: 0,
        optionalAllowPartialDeletions: false,
      }),
    );
    return response.deletedAt?.token;
  }

  /** sendSchema writes the schema and returns its token. */
  protected async sendSchema(schema: string): Promise<string | undefined> {
    const response = await this.transport.writeSchema({ schema });
    return response.writtenAt?.token;
  }

  /** acknowledge makes a write's token the newest (the default freshness of later reads) and answers with it. */
  protected acknowledge(token: string | undefined): WriteResult {
    if (token) this.newestToken = token;
    return { zedToken: token ?? this.newestToken ?? "" };
  }
}
