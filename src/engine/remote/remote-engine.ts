// RemoteEngine talks to a SpiceDB cluster (or to embedded Accord's gRPC endpoint) through
// @authzed/authzed-node, behind the same Engine port as the embedded engine. Every call has a
// deadline; reads and checks are retried with backoff when the engine is Unavailable (they are
// idempotent), writes never are (a lost answer must not apply a create twice). A replica keeps
// the newest zedToken it acknowledged, so its own reads see its own writes; a token handed in by
// a client (from another replica) is passed through as at_least_as_fresh.
import { v1 } from "@authzed/authzed-node";
import * as grpc from "@grpc/grpc-js";
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
import { isIP } from "node:net";
import { toConsistency } from "../spicedb/consistency-codec.js";
import { toEngineError } from "../spicedb/error-codec.js";
import { fromExpandTree, fromTrace, toCheckRequest } from "../spicedb/permission-codec.js";
import { toObjectReference, toPreconditions, toRelationshipFilter, toRelationshipUpdate } from "../spicedb/relationship-codec.js";
import { inFullyConsistentScope } from "../consistency-scope.js";
import { atLeastAsFresh, decodeRevision, type Revision } from "../revision.js";
import { ExpiryTimeline } from "./expiry-timeline.js";
import { resolveTarget, splitEndpoints } from "./spicedb-target.js";
import { parseSchema } from "../schema/parse-schema.js";
import type { SchemaModel } from "../schema/schema-model.js";
import { completeTrace, hasCachedStep } from "../schema/trace-completion.js";
import * as messages from "../spicedb/spicedb-messages.js";

/** BUMP_WINDOW_MS: longer than SpiceDB's default quantization window (5 s) and its staleness allowance. */
const BUMP_WINDOW_MS = 10_000;

/** MAX_UPDATES is SpiceDB's default limit of updates per WriteRelationships call. */
const MAX_UPDATES = 1000;

export interface RemoteEngineOptions {
  /** `host:port`, or several nodes separated by commas (round robin over them, see spicedb-target). */
  endpoint: string;
  token: string;
  /** Plaintext gRPC (local clusters, compose); TLS otherwise. */
  insecure: boolean;
  /** The schema written at connect (schema.zed); identical writes from many replicas are harmless. */
  schema?: string;
  /** Deadline of one call, in ms (default 10 s). */
  callTimeoutMs?: number;
  /** Most attempts of an idempotent call while the engine is Unavailable (default 8). */
  attempts?: number;
  /** How long an idempotent call keeps retrying while the engine is Unavailable, in ms (default 3 s). */
  retryBudgetMs?: number;
  /** How long connect() waits for the engine to answer at start (default 30 s). */
  connectTimeoutMs?: number;
}

type Callback<Res> = (err: grpc.ServiceError | null, response?: Res) => void;
type UnaryMethod<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback<Res>) => unknown;
type StreamMethod<Req, Res> = (request: Req, options: grpc.CallOptions) => grpc.ClientReadableStream<Res>;

export class RemoteEngine implements Engine {
  private newestToken: string | undefined;
  private parsedSchema: { text: string; model: SchemaModel } | undefined;
  /** When relationships written through this replica expire (see settleExpiries). */
  private readonly expiries = new ExpiryTimeline();
  private settling: Promise<void> | undefined;
  /** The empty write that made the last expiry visible, and until when it stands in for older tokens. */
  private bump: { token: string; revision: Revision | undefined; until: number } | undefined;
  private watchKnown: WatchAvailability | undefined;
  private closed = false;
  private readonly callTimeoutMs: number;
  private readonly attempts: number;
  private readonly retryBudgetMs: number;

  private constructor(
    private readonly client: v1.ZedClientInterface,
    options: RemoteEngineOptions,
  ) {
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.attempts = options.attempts ?? 8;
    this.retryBudgetMs = options.retryBudgetMs ?? 3_000;
  }

  /** connect opens the channel and writes the schema, waiting for the engine to come up. */
  static async connect(options: RemoteEngineOptions): Promise<RemoteEngine> {
    const security = options.insecure ? v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS : v1.ClientSecurity.SECURE;
    const { target, channelOptions, nodes } = await resolveTarget(options.endpoint);
    // TLS to a list of nodes: certificates name the host, not the address connected to.
    const firstHost = splitEndpoints(options.endpoint)[0]!.host;
    const tlsName = !options.insecure && nodes.length > 1 && !isIP(firstHost) ? { "grpc.ssl_target_name_override": firstHost, "grpc.default_authority": firstHost } : {};
    const client = v1.NewClient(options.token, target, security, undefined, {
      ...channelOptions,
      ...tlsName,
      // Reconnect quickly after an engine restart instead of grpc's default 1 s → 120 s backoff.
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 2_000,
      "grpc.keepalive_time_ms": 30_000,
    });
    const engine = new RemoteEngine(client, options);
    if (options.schema !== undefined) {
      const deadline = Date.now() + (options.connectTimeoutMs ?? 30_000);
      for (;;) {
        try {
          await engine.writeSchema(options.schema);
          break;
        } catch (err) {
          const kind = err instanceof EngineError ? err.failure.kind : "internal";
          if ((kind !== "unavailable" && kind !== "deadline_exceeded") || Date.now() > deadline) {
            client.close();
            throw err;
          }
          await sleep(250);
        }
      }
    }
    return engine;
  }

  private consistency(consistency?: Consistency): v1.Consistency {
    // Under a lock shared by replicas, the default read must see writes made through any of them.
    if ((consistency === undefined || consistency.kind === "read_your_writes") && inFullyConsistentScope()) return toConsistency({ kind: "full" }, undefined);
    if (consistency?.kind === "at_least_as_fresh" && this.bump) return toConsistency({ kind: "at_least_as_fresh", token: this.freshest(consistency.token) }, undefined);
    return toConsistency(consistency, this.newestToken);
  }

  private callOptions(): grpc.CallOptions {
    return { deadline: Date.now() + this.callTimeoutMs };
  }

  private unaryOnce<Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
    if (this.closed) return Promise.reject(new EngineError({ kind: "unavailable", message: "engine client is closed" }));
    return new Promise((resolve, reject) => {
      method.call(this.client, request, new grpc.Metadata(), this.callOptions(), (err, response) => {
        if (err || !response) reject(toEngineError(err ?? new Error("empty response")));
        else resolve(response);
      });
    });
  }

  private streamOnce<Req, Res>(method: StreamMethod<Req, Res>, request: Req): Promise<Res[]> {
    if (this.closed) return Promise.reject(new EngineError({ kind: "unavailable", message: "engine client is closed" }));
    return new Promise((resolve, reject) => {
      const results: Res[] = [];
      const stream = method.call(this.client, request, this.callOptions());
      stream.on("data", (response: Res) => results.push(response));
      stream.on("error", (err) => reject(toEngineError(err)));
      stream.on("end", () => resolve(results));
    });
  }

  /**
   * idempotent retries a read while the engine is Unavailable, with jittered exponential backoff
   * (capped at 1 s), for at most `attempts` tries and `retryBudgetMs` — long enough to ride out an
   * engine restart, short enough that the caller gets its 503 in seconds.
   */
  private async idempotent<T>(call: () => Promise<T>): Promise<T> {
    const giveUpAt = Date.now() + this.retryBudgetMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const pause = Math.min(1_000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random());
        const retry =
          err instanceof EngineError && err.failure.kind === "unavailable" && attempt < this.attempts && Date.now() + pause < giveUpAt && !this.closed;
        if (!retry) throw err;
        await sleep(pause);
      }
    }
  }

  private unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
    return this.idempotent(() => this.unaryOnce(method, request));
  }

  private stream<Req, Res>(method: StreamMethod<Req, Res>, request: Req): Promise<Res[]> {
    return this.idempotent(() => this.streamOnce(method, request));
  }

  async check(item: CheckItem, consistency?: Consistency): Promise<CheckResult> {
    await this.settleExpiries(consistency);
    const response = await this.unary<v1.CheckPermissionRequest, v1.CheckPermissionResponse>(
      this.client.checkPermission,
      toCheckRequest(item, this.consistency(consistency)),
    );
    return messages.checkResultOf(response);
  }

  /**
   * explain is a traced check. A real SpiceDB answers sub-problems it has computed before from
   * its dispatch cache, bare; those steps are completed (schema/trace-completion.ts) at the
   * answer's revision, so the trace names the relations that grant, as an uncached one would.
   */
  async explain(item: CheckItem, consistency?: Consistency): Promise<ExplainResult> {
    const answer = await this.tracedCheck(item, consistency);
    if (!answer.trace || !hasCachedStep(answer.trace)) return answer;
    const source = { tracedCheck: (i: CheckItem, c: Consistency) => this.tracedCheck(i, c), readRelationships: this.readRelationships.bind(this) };
    const at: Consistency = { kind: "at_least_as_fresh", token: answer.result.zedToken };
    return { result: answer.result, trace: await completeTrace(answer.trace, await this.schemaModel(), source, at) };
  }

  private async tracedCheck(item: CheckItem, consistency?: Consistency): Promise<ExplainResult> {
    await this.settleExpiries(consistency);
    const response = await this.unary<v1.CheckPermissionRequest, v1.CheckPermissionResponse>(
      this.client.checkPermission,
      toCheckRequest(item, this.consistency(consistency), true),
    );
    const trace = response.debugTrace?.check;
    return { result: messages.checkResultOf(response), trace: trace ? fromTrace(trace) : undefined };
  }

  /** schemaModel parses the engine's current schema (kept while its text stays the same). */
  private async schemaModel(): Promise<SchemaModel> {
    const text = await this.readSchema();
    if (this.parsedSchema?.text !== text) this.parsedSchema = { text, model: parseSchema(text) };
    return this.parsedSchema.model;
  }

  async checkBulk(items: CheckItem[], consistency?: Consistency) {
    await this.settleExpiries(consistency);
    const response = await this.unary<v1.CheckBulkPermissionsRequest, v1.CheckBulkPermissionsResponse>(
      this.client.checkBulkPermissions,
      messages.checkBulkRequest(items, this.consistency(consistency)),
    );
    return messages.checkBulkResultOf(response);
  }

  async expand(resource: ObjectRef, permission: string, consistency?: Consistency): Promise<ExpandNode> {
    await this.settleExpiries(consistency);
    const response = await this.unary<v1.ExpandPermissionTreeRequest, v1.ExpandPermissionTreeResponse>(this.client.expandPermissionTree, {
      consistency: this.consistency(consistency),
      resource: toObjectReference(resource),
      permission,
    });
    return fromExpandTree(response.treeRoot);
  }

  async lookupResources(request: LookupResourcesRequest, consistency?: Consistency): Promise<LookupResourcesPage> {
    await this.settleExpiries(consistency);
    const { message, paged } = messages.lookupResourcesRequest(request, () => this.consistency(consistency));
    const responses = await this.stream<v1.LookupResourcesRequest, v1.LookupResourcesResponse>(this.client.lookupResources, message);
    return messages.lookupResourcesPageOf(responses, request.limit, paged, messages.askedAtToken(paged.consistency, this.newestToken));
  }

  async lookupSubjects(request: LookupSubjectsRequest, consistency?: Consistency): Promise<LookupSubjectsResult> {
    await this.settleExpiries(consistency);
    const message = messages.lookupSubjectsRequest(request, this.consistency(consistency));
    const responses = await this.stream<v1.LookupSubjectsRequest, v1.LookupSubjectsResponse>(this.client.lookupSubjects, message);
    return messages.lookupSubjectsResultOf(responses, messages.askedAtToken(message.consistency!, this.newestToken));
  }

  async readRelationships(filter: RelationshipFilter, page: { limit: number; cursor?: string }, consistency?: Consistency): Promise<ReadRelationshipsPage> {
    await this.settleExpiries(consistency);
    const { message, paged } = messages.readRelationshipsRequest(filter, page, () => this.consistency(consistency));
    const responses = await this.stream<v1.ReadRelationshipsRequest, v1.ReadRelationshipsResponse>(this.client.readRelationships, message);
    return messages.readRelationshipsPageOf(responses, page.limit, paged, messages.askedAtToken(paged.consistency, this.newestToken));
  }

  async write(updates: RelationshipUpdate[], preconditions?: Precondition[]): Promise<WriteResult> {
    if (updates.length > MAX_UPDATES) {
      throw new EngineError({ kind: "invalid_argument", message: `a write takes at most ${MAX_UPDATES} updates` });
    }
    const response = await this.unaryOnce<v1.WriteRelationshipsRequest, v1.WriteRelationshipsResponse>(
      this.client.writeRelationships,
      v1.WriteRelationshipsRequest.create({ updates: updates.map(toRelationshipUpdate), optionalPreconditions: toPreconditions(preconditions) }),
    );
    for (const u of updates) if (u.operation !== "delete" && u.relationship.expiresAt) this.expiries.add(u.relationship.expiresAt.getTime());
    return this.acknowledge(response.writtenAt?.token);
  }

  /**
   * settleExpiries makes a relationship's end visible at its time. SpiceDB filters expired
   * relationships by the database clock when it reads, but caches answers by revision, and
   * without writes the revision stays put for a quantization window (5 s by default): a check
   * right after an expiry could get the answer computed before it. So once an expiry this
   * replica knows of has passed (written through it, or seen on the watch), one empty write
   * goes first: it changes nothing and gets a new revision, which becomes the newest token.
   * For a while after (BUMP_WINDOW_MS) a request asking "at least as fresh as T" is asked at
   * that revision instead where it is fresher than T: SpiceDB's optimized revision may still be
   * one from before the expiry. Requests for minimize_latency or full are left as they are.
   */
  private async settleExpiries(consistency: Consistency | undefined): Promise<void> {
    const kind = consistency?.kind ?? "read_your_writes";
    if ((kind !== "read_your_writes" && kind !== "at_least_as_fresh") || !(this.expiries.earliest()! <= Date.now())) return;
    this.settling ??= (async () => {
      const due = Date.now();
      try {
        const response = await this.unaryOnce<v1.WriteRelationshipsRequest, v1.WriteRelationshipsResponse>(
          this.client.writeRelationships,
          v1.WriteRelationshipsRequest.create({ updates: [] }),
        );
        this.expiries.passed(due);
        const token = response.writtenAt?.token;
        if (token) this.bump = { token, revision: decodeRevision(token), until: Date.now() + BUMP_WINDOW_MS };
        this.acknowledge(token);
      } catch {
        // The read below goes ahead at the newest freshness known; the next read tries again.
      } finally {
        this.settling = undefined;
      }
    })();
    await this.settling;
  }

  /** freshest is the token to ask "at least as fresh as T" at: the expiry bump where it is fresher. */
  private freshest(token: string): string {
    const bump = this.bump;
    if (!bump || bump.until < Date.now()) return token;
    return bump.token !== token && atLeastAsFresh(bump.revision, decodeRevision(token)) ? bump.token : token;
  }

  async deleteByFilter(filter: RelationshipFilter, preconditions?: Precondition[]): Promise<WriteResult> {
    const response = await this.unaryOnce<v1.DeleteRelationshipsRequest, v1.DeleteRelationshipsResponse>(
      this.client.deleteRelationships,
      v1.DeleteRelationshipsRequest.create({
        relationshipFilter: toRelationshipFilter(filter),
        optionalPreconditions: toPreconditions(preconditions),
        optionalLimit: 0,
        optionalAllowPartialDeletions: false,
      }),
    );
    return this.acknowledge(response.deletedAt?.token);
  }

  async readSchema(): Promise<string> {
    const response = await this.unary<v1.ReadSchemaRequest, v1.ReadSchemaResponse>(this.client.readSchema, {});
    return response.schemaText;
  }

  async writeSchema(schema: string): Promise<WriteResult> {
    const response = await this.unaryOnce<v1.WriteSchemaRequest, v1.WriteSchemaResponse>(this.client.writeSchema, { schema });
    return this.acknowledge(response.writtenAt?.token);
  }

  /** watch streams changes without a deadline (it is long-lived); the signal ends it. */
  async *watch(fromToken: string | undefined, signal: AbortSignal, options: WatchOptions = {}): AsyncIterable<WatchEvent> {
    const start = fromToken ?? this.newestToken;
    const stream = this.client.watch(
      v1.WatchRequest.create({ optionalObjectTypes: [], optionalStartCursor: start ? { token: start } : undefined, optionalUpdateKinds: messages.watchKinds(options) }),
    ) as grpc.ClientReadableStream<v1.WatchResponse>;
    const cancel = () => stream.cancel();
    signal.addEventListener("abort", cancel, { once: true });
    try {
      for await (const response of stream as AsyncIterable<v1.WatchResponse>) {
        if (signal.aborted) return;
        const event = messages.watchEventOf(response);
        yield event;
      }
    } catch (err) {
      if (!signal.aborted) throw toEngineError(err);
    } finally {
      signal.removeEventListener("abort", cancel);
      stream.cancel();
    }
  }

  /** noteExpiry: a relationship written elsewhere (seen on the watch) expires at `at`; see settleExpiries. */
  noteExpiry(at: number): void {
    this.expiries.add(at);
  }

  /**
   * watchAvailability opens a watch from now and waits for its first word: SpiceDB sends a
   * checkpoint within its watch heartbeat (1 s by default) when it can watch, and answers
   * UNIMPLEMENTED when its datastore cannot (PostgreSQL without track_commit_timestamp). The
   * answer is kept once known; an engine that is down is asked again next time.
   */
  async watchAvailability(): Promise<WatchAvailability> {
    if (this.watchKnown) return this.watchKnown;
    const answer = await new Promise<WatchAvailability | undefined>((resolve) => {
      const stream = this.client.watch(v1.WatchRequest.create({ optionalObjectTypes: [], optionalUpdateKinds: [] })) as grpc.ClientReadableStream<v1.WatchResponse>;
      const done = (value: WatchAvailability | undefined) => {
        clearTimeout(timer);
        stream.removeAllListeners("data");
        stream.on("error", () => undefined);
        stream.cancel();
        resolve(value);
      };
      // No word for 3 s is not a "no": the stream opened; events only come with changes.
      const timer = setTimeout(() => done({ available: true }), 3_000);
      stream.on("data", () => done({ available: true }));
      stream.on("error", (err: grpc.ServiceError) => {
        if (err.code === grpc.status.UNIMPLEMENTED) {
          done({ available: false, reason: `SpiceDB serves no Watch (${err.details || "unimplemented"}): on PostgreSQL it needs track_commit_timestamp=on` });
        } else done(undefined);
      });
    });
    if (answer) this.watchKnown = answer;
    return answer ?? { available: false, reason: "SpiceDB did not answer a watch (unavailable)" };
  }

  async ready(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return (await this.unaryOnce<v1.ReadSchemaRequest, v1.ReadSchemaResponse>(this.client.readSchema, {})).schemaText.length > 0;
    } catch {
      return false;
    }
  }

  /** newestWriteToken is the token of the newest write this replica acknowledged. */
  newestWriteToken(): string | undefined {
    return this.newestToken;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  private acknowledge(token: string | undefined): WriteResult {
    if (token) this.newestToken = token;
    return { zedToken: token ?? this.newestToken ?? "" };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
