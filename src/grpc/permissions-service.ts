// permissions-service serves SpiceDB's v1 PermissionsService over the Engine port: checks,
// expand, streaming lookups and reads, and writes (which go through the engine's journal, so
// they are as durable as writes made over HTTP).
import { v1 } from "@authzed/authzed-node";
import type * as grpc from "@grpc/grpc-js";
import type { Engine } from "../engine/engine.js";
import { fromConsistency, toZedToken } from "../engine/spicedb/consistency-codec.js";
import { toGrpcCode } from "../engine/spicedb/error-codec.js";
import { fromObjectReference, fromStruct, fromSubjectReference, toRelationship } from "../engine/spicedb/relationship-codec.js";
import * as wire from "./grpc-codec.js";
import { serverStream, unary, unimplemented, type Authorizer } from "./service-definition.js";

/** PAGE is how many relationships an unlimited ReadRelationships reads from the engine at a time. */
const PAGE = 1000;

export function permissionsHandlers(engine: Engine, authorize: Authorizer): grpc.UntypedServiceImplementation {
  return {
    CheckPermission: unary(authorize, async (request: v1.CheckPermissionRequest): Promise<v1.CheckPermissionResponse> => {
      const item = wire.fromCheckItem(request);
      const consistency = fromConsistency(request.consistency);
      const { result, trace } = request.withTracing
        ? await engine.explain(item, consistency)
        : { result: await engine.check(item, consistency), trace: undefined };
      return v1.CheckPermissionResponse.create({
        checkedAt: toZedToken(result.zedToken),
        permissionship: wire.toCheckPermissionship(result.permissionship),
        partialCaveatInfo: wire.toPartialCaveatInfo(result.missingContext),
        debugTrace: trace ? { check: wire.toDebugTrace(trace), schemaUsed: "" } : undefined,
      });
    }),

    CheckBulkPermissions: unary(authorize, async (request: v1.CheckBulkPermissionsRequest): Promise<v1.CheckBulkPermissionsResponse> => {
      const { results, zedToken } = await engine.checkBulk(request.items.map(wire.fromCheckItem), fromConsistency(request.consistency));
      return v1.CheckBulkPermissionsResponse.create({
        checkedAt: toZedToken(zedToken),
        pairs: results.map((r, i) => ({
          request: request.items[i],
          response: r.ok
            ? {
                oneofKind: "item",
                item: {
                  permissionship: wire.toCheckPermissionship(r.result.permissionship),
                  partialCaveatInfo: wire.toPartialCaveatInfo(r.result.missingContext),
                },
              }
            : { oneofKind: "error", error: { code: toGrpcCode(r.error.kind), message: r.error.message, details: [] } },
        })),
      });
    }),

    ExpandPermissionTree: unary(authorize, async (request: v1.ExpandPermissionTreeRequest): Promise<v1.ExpandPermissionTreeResponse> => {
      const tree = await engine.expand(fromObjectReference(request.resource), request.permission, fromConsistency(request.consistency));
      return v1.ExpandPermissionTreeResponse.create({ treeRoot: wire.toExpandTree(tree) });
    }),

    LookupResources: serverStream(authorize, async (request: v1.LookupResourcesRequest, send: (r: v1.LookupResourcesResponse) => void) => {
      const page = await engine.lookupResources(
        {
          resourceType: request.resourceObjectType,
          permission: request.permission,
          subject: fromSubjectReference(request.subject),
          context: fromStruct(request.context),
          limit: request.optionalLimit || undefined,
          cursor: request.optionalCursor?.token || undefined,
        },
        fromConsistency(request.consistency),
      );
      page.resources.forEach((resource, i) => {
        // NOTE: the port pages by whole pages, so only the last result carries a resumable cursor.
        const last = i === page.resources.length - 1;
        send(
          v1.LookupResourcesResponse.create({
            lookedUpAt: toZedToken(page.zedToken),
            resourceObjectId: resource.id,
            permissionship: wire.toLookupPermissionship(resource.permissionship),
            partialCaveatInfo: wire.toPartialCaveatInfo(resource.missingContext),
            afterResultCursor: last && page.cursor ? { token: page.cursor } : undefined,
          }),
        );
      });
    }),

    LookupSubjects: serverStream(authorize, async (request: v1.LookupSubjectsRequest, send: (r: v1.LookupSubjectsResponse) => void) => {
      const result = await engine.lookupSubjects(
        {
          resource: fromObjectReference(request.resource),
          permission: request.permission,
          subjectType: request.subjectObjectType,
          subjectRelation: request.optionalSubjectRelation || undefined,
          context: fromStruct(request.context),
        },
        fromConsistency(request.consistency),
      );
      for (const subject of result.subjects) {
        send(
          v1.LookupSubjectsResponse.create({
            lookedUpAt: toZedToken(result.zedToken),
            subject: {
              subjectObjectId: subject.id,
              permissionship: wire.toLookupPermissionship(subject.permissionship),
              partialCaveatInfo: wire.toPartialCaveatInfo(subject.missingContext),
            },
            excludedSubjects: [],
          }),
        );
      }
    }),

    ReadRelationships: serverStream(
      authorize,
      async (request: v1.ReadRelationshipsRequest, send: (r: v1.ReadRelationshipsResponse) => void, signal: AbortSignal) => {
        const filter = wire.fromRelationshipFilter(request.relationshipFilter);
        const consistency = fromConsistency(request.consistency);
        const limit = request.optionalLimit;
        let cursor = request.optionalCursor?.token || undefined;
        let remaining = limit || Infinity;
        do {
          const page = await engine.readRelationships(filter, { limit: Math.min(remaining, PAGE), cursor }, consistency);
          page.relationships.forEach((relationship, i) => {
            const last = i === page.relationships.length - 1;
            send(
              v1.ReadRelationshipsResponse.create({
                readAt: toZedToken(page.zedToken),
                relationship: toRelationship(relationship),
                afterResultCursor: last && page.cursor ? { token: page.cursor } : undefined,
              }),
            );
          });
          remaining -= page.relationships.length;
          cursor = page.cursor;
        } while (cursor && remaining > 0 && !signal.aborted);
      },
    ),

    WriteRelationships: unary(authorize, async (request: v1.WriteRelationshipsRequest): Promise<v1.WriteRelationshipsResponse> => {
      const written = await engine.write(request.updates.map(wire.fromRelationshipUpdate), wire.fromPreconditions(request.optionalPreconditions));
      return v1.WriteRelationshipsResponse.create({ writtenAt: toZedToken(written.zedToken) });
    }),

    DeleteRelationships: unary(authorize, async (request: v1.DeleteRelationshipsRequest): Promise<v1.DeleteRelationshipsResponse> => {
      if (request.optionalLimit) throw new wire.RequestError("optional_limit is not supported by this endpoint: deletes are all-or-nothing");
      const filter = wire.fromRelationshipFilter(request.relationshipFilter);
      if (!filter.resourceType) throw new wire.RequestError("relationship_filter.resource_type is required");
      const deleted = await engine.deleteByFilter(filter, wire.fromPreconditions(request.optionalPreconditions));
      return v1.DeleteRelationshipsResponse.create({
        deletedAt: toZedToken(deleted.zedToken),
        deletionProgress: v1.DeleteRelationshipsResponse_DeletionProgress.COMPLETE,
      });
    }),

    ImportBulkRelationships: unimplemented("ImportBulkRelationships"),
    ExportBulkRelationships: unimplemented("ExportBulkRelationships"),
  };
}
