// GrpcTransport carries the remote engine's v1 calls over @authzed/authzed-node's gRPC client.
// Every call has a deadline; reads and checks are retried with backoff while the engine is
// Unavailable (they are idempotent), and so are writes made only of touches and deletes with no
// precondition (applying one twice leaves the same relationships); any other write goes once (a
// lost answer must not apply a create twice). The watch has no deadline: it is long-lived, and its signal ends it.
import { v1 } from "@authzed/authzed-node";
import * as grpc from "@grpc/grpc-js";
import { setTimeout as delay } from "node:timers/promises";
import { EngineError } from "../engine.js";
import { toEngineError } from "../spicedb/error-codec.js";
import type { SpiceDbTransport } from "../spicedb/spicedb-transport.js";
import { watchResponses } from "../spicedb/watch-stream.js";

export interface GrpcCallOptions {
  /** Deadline of one call, in ms (default 10 s). */
  callTimeoutMs?: number;
  /** Most attempts of an idempotent call while the engine is Unavailable (default 8). */
  attempts?: number;
  /** How long an idempotent call keeps retrying while the engine is Unavailable, in ms (default 3 s). */
  retryBudgetMs?: number;
}

type Callback<Res> = (err: grpc.ServiceError | null, response?: Res) => void;
type UnaryMethod<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback<Res>) => unknown;
type StreamMethod<Req, Res> = (request: Req, options: grpc.CallOptions) => grpc.ClientReadableStream<Res>;

const TOUCH = v1.RelationshipUpdate_Operation.TOUCH;
const DELETE = v1.RelationshipUpdate_Operation.DELETE;

export class GrpcTransport implements SpiceDbTransport {
  closed = false;
  private readonly callTimeoutMs: number;
  private readonly attempts: number;
  private readonly retryBudgetMs: number;

  constructor(
    private readonly client: v1.ZedClientInterface,
    options: GrpcCallOptions,
  ) {
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.attempts = options.attempts ?? 8;
    this.retryBudgetMs = options.retryBudgetMs ?? 3_000;
  }

  checkPermission(request: v1.CheckPermissionRequest) {
    return this.unary<v1.CheckPermissionRequest, v1.CheckPermissionResponse>(this.client.checkPermission, request);
  }
  checkBulkPermissions(request: v1.CheckBulkPermissionsRequest) {
    return this.unary<v1.CheckBulkPermissionsRequest, v1.CheckBulkPermissionsResponse>(this.client.checkBulkPermissions, request);
  }
  expandPermissionTree(request: v1.ExpandPermissionTreeRequest) {
    return this.unary<v1.ExpandPermissionTreeRequest, v1.ExpandPermissionTreeResponse>(this.client.expandPermissionTree, request);
  }
  lookupResources(request: v1.LookupResourcesRequest) {
    return this.stream<v1.LookupResourcesRequest, v1.LookupResourcesResponse>(this.client.lookupResources, request);
  }
  lookupSubjects(request: v1.LookupSubjectsRequest) {
    return this.stream<v1.LookupSubjectsRequest, v1.LookupSubjectsResponse>(this.client.lookupSubjects, request);
  }
  readRelationships(request: v1.ReadRelationshipsRequest) {
    return this.stream<v1.ReadRelationshipsRequest, v1.ReadRelationshipsResponse>(this.client.readRelationships, request);
  }
  readSchema(request: v1.ReadSchemaRequest) {
    return this.unary<v1.ReadSchemaRequest, v1.ReadSchemaResponse>(this.client.readSchema, request);
  }
  /** readSchemaOnce asks once, without retries (a readiness probe wants the answer of now). */
  readSchemaOnce() {
    return this.unaryOnce<v1.ReadSchemaRequest, v1.ReadSchemaResponse>(this.client.readSchema, {});
  }

  // A write of touches and deletes without preconditions may be retried; one with a create or a
  // precondition goes once (a lost answer must not apply a create twice).
  writeRelationships(request: v1.WriteRelationshipsRequest) {
    const once = () => this.unaryOnce<v1.WriteRelationshipsRequest, v1.WriteRelationshipsResponse>(this.client.writeRelationships, request);
    return isIdempotentWrite(request) ? this.idempotent(once) : once();
  }
  deleteRelationships(request: v1.DeleteRelationshipsRequest) {
    return this.unaryOnce<v1.DeleteRelationshipsRequest, v1.DeleteRelationshipsResponse>(this.client.deleteRelationships, request);
  }
  writeSchema(request: v1.WriteSchemaRequest) {
    return this.unaryOnce<v1.WriteSchemaRequest, v1.WriteSchemaResponse>(this.client.writeSchema, request);
  }

  watch(request: v1.WatchRequest, signal: AbortSignal): AsyncIterable<v1.WatchResponse> {
    return watchResponses(this.client, request, signal, toEngineError);
  }

  close(): void {
    this.closed = true;
    this.client.close();
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
        await delay(pause);
      }
    }
  }

  private unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
    return this.idempotent(() => this.unaryOnce(method, request));
  }

  private stream<Req, Res>(method: StreamMethod<Req, Res>, request: Req): Promise<Res[]> {
    return this.idempotent(() => this.streamOnce(method, request));
  }
}

/** isIdempotentWrite: only touches and deletes, and no precondition that a first try could change. */
export function isIdempotentWrite(request: v1.WriteRelationshipsRequest): boolean {
  return request.optionalPreconditions.length === 0 && request.updates.every((u) => u.operation === TOUCH || u.operation === DELETE);
}
