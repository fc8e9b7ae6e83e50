// SpiceDbTransport is how one engine carries SpiceDB's v1 calls: the embedded engine through
// the C library and its socket proxy (embedded/embedded-transport.ts), the remote engine over a
// gRPC channel with deadlines and retries (remote/grpc-transport.ts). What the messages say is
// the same either way (spicedb-engine.ts builds and reads them).
import type { v1 } from "@authzed/authzed-node";

/** SpiceDbTransport sends one v1 request and brings back its answer; failures come back as EngineErrors. */
export interface SpiceDbTransport {
  checkPermission(request: v1.CheckPermissionRequest): Promise<v1.CheckPermissionResponse>;
  checkBulkPermissions(request: v1.CheckBulkPermissionsRequest): Promise<v1.CheckBulkPermissionsResponse>;
  expandPermissionTree(request: v1.ExpandPermissionTreeRequest): Promise<v1.ExpandPermissionTreeResponse>;
  /** The streamed calls bring back every response of the stream (one page). */
  lookupResources(request: v1.LookupResourcesRequest): Promise<v1.LookupResourcesResponse[]>;
  lookupSubjects(request: v1.LookupSubjectsRequest): Promise<v1.LookupSubjectsResponse[]>;
  readRelationships(request: v1.ReadRelationshipsRequest): Promise<v1.ReadRelationshipsResponse[]>;
  writeRelationships(request: v1.WriteRelationshipsRequest): Promise<v1.WriteRelationshipsResponse>;
  deleteRelationships(request: v1.DeleteRelationshipsRequest): Promise<v1.DeleteRelationshipsResponse>;
  readSchema(request: v1.ReadSchemaRequest): Promise<v1.ReadSchemaResponse>;
  writeSchema(request: v1.WriteSchemaRequest): Promise<v1.WriteSchemaResponse>;
  /**
   * watch streams until the signal aborts. NOTE: the embedded proxy's stream errors come through
   * as they are (not as EngineErrors), as they always have.
   */
  watch(request: v1.WatchRequest, signal: AbortSignal): AsyncIterable<v1.WatchResponse>;
  /** closed: the transport was closed; every call now fails as unavailable. */
  readonly closed: boolean;
}
