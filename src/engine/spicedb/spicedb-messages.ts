// spicedb-messages builds the v1 requests of the multi-result calls (bulk check, lookups,
// reads) and reads their responses into the port's types, for both adapters: the embedded
// and the remote engine differ only in how a message travels, not in what it says.
import { v1 } from "@authzed/authzed-node";
import type {
  BulkCheckResult,
  CheckItem,
  CheckResult,
  LookupResourcesPage,
  LookupResourcesRequest,
  LookupSubjectsRequest,
  LookupSubjectsResult,
  ReadRelationshipsPage,
  RelationshipFilter,
} from "../engine.js";
import { decodeCursor, encodeCursor } from "./consistency-codec.js";
import { toEngineError } from "./error-codec.js";
import { fromLookupPermissionship, fromPermissionship, toBulkItem } from "./permission-codec.js";
import { fromRelationship, toObjectReference, toRelationshipFilter, toStruct, toSubjectReference } from "./relationship-codec.js";

/** checkResultOf reads a CheckPermissionResponse (conditional results keep their missing context). */
export function checkResultOf(response: v1.CheckPermissionResponse): CheckResult {
  const result: CheckResult = { permissionship: fromPermissionship(response.permissionship), zedToken: response.checkedAt?.token ?? "" };
  const missing = response.partialCaveatInfo?.missingRequiredContext;
  if (missing?.length) result.missingContext = missing;
  return result;
}

export function checkBulkRequest(items: CheckItem[], consistency: v1.Consistency): v1.CheckBulkPermissionsRequest {
  return v1.CheckBulkPermissionsRequest.create({ consistency, items: items.map(toBulkItem), withTracing: false });
}

/** checkBulkResultOf reads the pairs in request order; an item's error stays with its item. */
export function checkBulkResultOf(response: v1.CheckBulkPermissionsResponse): { results: BulkCheckResult[]; zedToken: string } {
  const zedToken = response.checkedAt?.token ?? "";
  const results: BulkCheckResult[] = response.pairs.map((pair) => {
    if (pair.response.oneofKind === "item") {
      const item = pair.response.item;
      const result: CheckResult = { permissionship: fromPermissionship(item.permissionship), zedToken };
      const missing = item.partialCaveatInfo?.missingRequiredContext;
      if (missing?.length) result.missingContext = missing;
      return { ok: true, result };
    }
    const error = pair.response.oneofKind === "error" ? pair.response.error : undefined;
    return { ok: false, error: toEngineError({ code: error?.code ?? 2, details: error?.message ?? "unknown error" }).failure };
  });
  return { results, zedToken };
}

/**
 * Paged is a paged request resolved against its cursor: a cursor carries its first page's
 * snapshot (SpiceDB refuses a cursor whose request differs), so the next page reuses it.
 */
interface Paged {
  consistency: v1.Consistency;
  cursor?: v1.Cursor;
}

function resume(cursor: string | undefined, fresh: () => v1.Consistency): Paged {
  if (!cursor) return { consistency: fresh() };
  const resumed = decodeCursor(cursor);
  return { consistency: resumed.consistency, cursor: { token: resumed.cursor } };
}

/**
 * askedAtToken is the token to give a streamed answer that named no revision (an empty lookup
 * or read): never fresher than the revision it was computed at. A request "at least as fresh
 * as T" may have run at T, so it is T — not the newest write, which may be past the revision
 * the engine chose (the check cache would take such an answer for fresher than it is). Other
 * requests keep the newest token this client has seen.
 */
export function askedAtToken(consistency: v1.Consistency, newestToken: string | undefined): string {
  const requirement = consistency.requirement;
  if (requirement.oneofKind === "atLeastAsFresh") return requirement.atLeastAsFresh.token;
  return newestToken ?? "";
}

export function lookupResourcesRequest(request: LookupResourcesRequest, fresh: () => v1.Consistency): { message: v1.LookupResourcesRequest; paged: Paged } {
  const paged = resume(request.cursor, fresh);
  const message = v1.LookupResourcesRequest.create({
    consistency: paged.consistency,
    resourceObjectType: request.resourceType,
    permission: request.permission,
    subject: toSubjectReference(request.subject),
    context: toStruct(request.context),
    optionalLimit: request.limit ?? 0,
    optionalCursor: paged.cursor,
  });
  return { message, paged };
}

export function lookupResourcesPageOf(responses: v1.LookupResourcesResponse[], limit: number | undefined, paged: Paged, fallbackToken: string): LookupResourcesPage {
  const last = responses[responses.length - 1];
  const page: LookupResourcesPage = {
    resources: responses.map((r) => {
      const missing = r.partialCaveatInfo?.missingRequiredContext;
      const resource = { id: r.resourceObjectId, permissionship: fromLookupPermissionship(r.permissionship) };
      return missing?.length ? { ...resource, missingContext: missing } : resource;
    }),
    zedToken: last?.lookedUpAt?.token ?? fallbackToken,
  };
  if (limit && responses.length === limit && last?.afterResultCursor?.token) page.cursor = encodeCursor(paged.consistency, last.afterResultCursor.token);
  return page;
}

export function lookupSubjectsRequest(request: LookupSubjectsRequest, consistency: v1.Consistency): v1.LookupSubjectsRequest {
  return v1.LookupSubjectsRequest.create({
    consistency,
    resource: toObjectReference(request.resource),
    permission: request.permission,
    subjectObjectType: request.subjectType,
    optionalSubjectRelation: request.subjectRelation ?? "",
    context: toStruct(request.context),
  });
}

export function lookupSubjectsResultOf(responses: v1.LookupSubjectsResponse[], fallbackToken: string): LookupSubjectsResult {
  return {
    subjects: responses.map((r) => {
      const missing = r.subject?.partialCaveatInfo?.missingRequiredContext;
      const subject = {
        id: r.subject?.subjectObjectId ?? "",
        permissionship: fromLookupPermissionship(r.subject?.permissionship ?? v1.LookupPermissionship.HAS_PERMISSION),
      };
      return missing?.length ? { ...subject, missingContext: missing } : subject;
    }),
    zedToken: responses[0]?.lookedUpAt?.token ?? fallbackToken,
  };
}

export function readRelationshipsRequest(
  filter: RelationshipFilter,
  page: { limit: number; cursor?: string },
  fresh: () => v1.Consistency,
): { message: v1.ReadRelationshipsRequest; paged: Paged } {
  const paged = resume(page.cursor, fresh);
  const message = v1.ReadRelationshipsRequest.create({
    consistency: paged.consistency,
    relationshipFilter: toRelationshipFilter(filter),
    optionalLimit: page.limit,
    optionalCursor: paged.cursor,
  });
  return { message, paged };
}

export function readRelationshipsPageOf(responses: v1.ReadRelationshipsResponse[], limit: number, paged: Paged, fallbackToken: string): ReadRelationshipsPage {
  const last = responses[responses.length - 1];
  const page: ReadRelationshipsPage = {
    relationships: responses.map((r) => fromRelationship(r.relationship!)),
    zedToken: last?.readAt?.token ?? fallbackToken,
  };
  if (responses.length === limit && last?.afterResultCursor?.token) page.cursor = encodeCursor(paged.consistency, last.afterResultCursor.token);
  return page;
}
