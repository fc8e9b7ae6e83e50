// spicedb-codec translates between the engine port's plain types and SpiceDB's v1 protobuf
// messages, and SpiceDB's errors into EngineFailures. Both adapters (embedded and remote) use it.
import { v1 } from "@authzed/authzed-node";
import {
  EngineError,
  type CheckItem,
  type CheckTrace,
  type Consistency,
  type EngineFailure,
  type ExpandNode,
  type ObjectRef,
  type Permissionship,
  type Precondition,
  type Relationship,
  type RelationshipFilter,
  type RelationshipUpdate,
  type SubjectRef,
} from "./engine.js";

type JsonObject = Parameters<typeof v1.createStructFromObject>[0];

export function toObjectReference(ref: ObjectRef): v1.ObjectReference {
  return { objectType: ref.type, objectId: ref.id };
}

export function toSubjectReference(ref: SubjectRef): v1.SubjectReference {
  return { object: { objectType: ref.type, objectId: ref.id }, optionalRelation: ref.relation ?? "" };
}

export function fromObjectReference(ref: v1.ObjectReference | undefined): ObjectRef {
  return { type: ref?.objectType ?? "", id: ref?.objectId ?? "" };
}

export function fromSubjectReference(ref: v1.SubjectReference | undefined): SubjectRef {
  const subject: SubjectRef = { type: ref?.object?.objectType ?? "", id: ref?.object?.objectId ?? "" };
  if (ref?.optionalRelation) subject.relation = ref.optionalRelation;
  return subject;
}

export function toStruct(context: Record<string, unknown> | undefined): v1.PbStruct | undefined {
  return context === undefined ? undefined : v1.createStructFromObject(context as JsonObject);
}

export function fromStruct(struct: v1.PbStruct | undefined): Record<string, unknown> | undefined {
  if (!struct || Object.keys(struct.fields).length === 0) return undefined;
  return v1.PbStruct.toJson(struct) as Record<string, unknown>;
}

export function toRelationship(rel: Relationship): v1.Relationship {
  const out: v1.Relationship = {
    resource: toObjectReference(rel.resource),
    relation: rel.relation,
    subject: toSubjectReference(rel.subject),
  };
  if (rel.caveat) out.optionalCaveat = { caveatName: rel.caveat.name, context: toStruct(rel.caveat.context ?? {}) };
  if (rel.expiresAt) {
    const ms = rel.expiresAt.getTime();
    out.optionalExpiresAt = { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
  }
  return out;
}

export function fromRelationship(rel: v1.Relationship): Relationship {
  const out: Relationship = {
    resource: fromObjectReference(rel.resource),
    relation: rel.relation,
    subject: fromSubjectReference(rel.subject),
  };
  if (rel.optionalCaveat?.caveatName) {
    out.caveat = { name: rel.optionalCaveat.caveatName };
    const context = fromStruct(rel.optionalCaveat.context);
    if (context) out.caveat.context = context;
  }
  if (rel.optionalExpiresAt) {
    out.expiresAt = new Date(Number(rel.optionalExpiresAt.seconds) * 1000 + Math.floor(rel.optionalExpiresAt.nanos / 1e6));
  }
  return out;
}

const OPERATIONS = {
  touch: v1.RelationshipUpdate_Operation.TOUCH,
  create: v1.RelationshipUpdate_Operation.CREATE,
  delete: v1.RelationshipUpdate_Operation.DELETE,
} as const;

export function toRelationshipUpdate(update: RelationshipUpdate): v1.RelationshipUpdate {
  return { operation: OPERATIONS[update.operation], relationship: toRelationship(update.relationship) };
}

export function toRelationshipFilter(filter: RelationshipFilter): v1.RelationshipFilter {
  const out: v1.RelationshipFilter = {
    resourceType: filter.resourceType ?? "",
    optionalResourceId: filter.resourceId ?? "",
    optionalResourceIdPrefix: "",
    optionalRelation: filter.relation ?? "",
  };
  if (filter.subject) {
    out.optionalSubjectFilter = {
      subjectType: filter.subject.type,
      optionalSubjectId: filter.subject.id ?? "",
      optionalRelation: filter.subject.relation !== undefined ? { relation: filter.subject.relation } : undefined,
    };
  }
  return out;
}

export function toPreconditions(preconditions: Precondition[] | undefined): v1.Precondition[] {
  return (preconditions ?? []).map((p) => ({
    operation:
      p.operation === "must_exist"
        ? v1.Precondition_Operation.MUST_MATCH
        : v1.Precondition_Operation.MUST_NOT_MATCH,
    filter: toRelationshipFilter(p.filter),
  }));
}

/** toConsistency resolves "read_your_writes" against the newest token this process acknowledged. */
export function toConsistency(consistency: Consistency | undefined, newestToken: string | undefined): v1.Consistency {
  const c = consistency ?? { kind: "read_your_writes" };
  switch (c.kind) {
    case "minimize_latency":
      return { requirement: { oneofKind: "minimizeLatency", minimizeLatency: true } };
    case "full":
      return { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } };
    case "at_least_as_fresh":
      return { requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: { token: c.token } } };
    case "read_your_writes":
      return newestToken
        ? { requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: { token: newestToken } } }
        : { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } };
  }
}

export function toCheckRequest(item: CheckItem, consistency: v1.Consistency, withTracing = false): v1.CheckPermissionRequest {
  return {
    consistency,
    resource: toObjectReference(item.resource),
    permission: item.permission,
    subject: toSubjectReference(item.subject),
    context: toStruct(item.context),
    withTracing,
  };
}

export function toBulkItem(item: CheckItem): v1.CheckBulkPermissionsRequestItem {
  return {
    resource: toObjectReference(item.resource),
    permission: item.permission,
    subject: toSubjectReference(item.subject),
    context: toStruct(item.context),
  };
}

export function fromPermissionship(p: v1.CheckPermissionResponse_Permissionship): Permissionship {
  if (p === v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION) return "allowed";
  if (p === v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION) return "conditional";
  return "denied";
}

export function fromLookupPermissionship(p: v1.LookupPermissionship): Permissionship {
  return p === v1.LookupPermissionship.CONDITIONAL_PERMISSION ? "conditional" : "allowed";
}

type DebugTrace = NonNullable<NonNullable<v1.CheckPermissionResponse["debugTrace"]>["check"]>;
// CheckDebugTrace's enums are not re-exported by authzed-node; their values are stable in the proto.
const TRACE_HAS_PERMISSION = 2;
const TRACE_CONDITIONAL_PERMISSION = 3;
const TRACE_TYPE_RELATION = 1;

export function fromTrace(trace: DebugTrace): CheckTrace {
  const result =
    trace.result === TRACE_HAS_PERMISSION ? "allowed" : trace.result === TRACE_CONDITIONAL_PERMISSION ? "conditional" : "denied";
  const out: CheckTrace = {
    resource: fromObjectReference(trace.resource),
    permission: trace.permission,
    kind: trace.permissionType === TRACE_TYPE_RELATION ? "relation" : "permission",
    subject: fromSubjectReference(trace.subject),
    result,
    children: trace.resolution.oneofKind === "subProblems" ? trace.resolution.subProblems.traces.map(fromTrace) : [],
  };
  // SpiceDB's dispatch cache answered this sub-problem: no sub-problems, and no relation/permission type.
  if (trace.resolution.oneofKind === "wasCachedResult" && trace.resolution.wasCachedResult) out.cached = true;
  if (trace.caveatEvaluationInfo?.caveatName) out.caveat = trace.caveatEvaluationInfo.caveatName;
  return out;
}

export function fromExpandTree(tree: v1.PermissionRelationshipTree | undefined): ExpandNode {
  const expanded = { resource: fromObjectReference(tree?.expandedObject), relation: tree?.expandedRelation ?? "" };
  const kind = tree?.treeType;
  if (kind?.oneofKind === "leaf") {
    return {
      expanded,
      operation: "leaf",
      children: [],
      subjects: kind.leaf.subjects.map(fromSubjectReference),
    };
  }
  if (kind?.oneofKind === "intermediate") {
    const op = kind.intermediate.operation;
    return {
      expanded,
      operation:
        op === v1.AlgebraicSubjectSet_Operation.INTERSECTION
          ? "intersection"
          : op === v1.AlgebraicSubjectSet_Operation.EXCLUSION
            ? "exclusion"
            : "union",
      children: kind.intermediate.children.map(fromExpandTree),
      subjects: [],
    };
  }
  return { expanded, operation: "leaf", children: [], subjects: [] };
}

// gRPC status names as they appear in "rpc error: code = X desc = ..." and in grpc-js codes.
const FAILURE_BY_CODE: Record<string, EngineFailure["kind"]> = {
  InvalidArgument: "invalid_argument",
  FailedPrecondition: "failed_precondition",
  AlreadyExists: "already_exists",
  NotFound: "not_found",
  ResourceExhausted: "resource_exhausted",
  Unavailable: "unavailable",
  DeadlineExceeded: "deadline_exceeded",
  OutOfRange: "invalid_argument",
  Aborted: "failed_precondition",
  Canceled: "unavailable",
};
const GRPC_CODE_NAMES = [
  "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
  "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
  "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
];

const CAVEAT_CONTEXT_ERROR = /^(could not convert context parameter|unknown parameter `)/;

/**
 * toEngineError maps an error thrown by the FFI ("rpc error: code = X desc = Y") or by grpc-js
 * ({code: number, details}) to an EngineError. Unknown shapes become "internal".
 */
export function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const e = err as { code?: unknown; details?: unknown; message?: unknown };
  let codeName: string | undefined;
  let message = typeof e?.message === "string" ? e.message : String(err);
  const match = /rpc error: code = (\w+) desc = ([\s\S]*)$/.exec(message);
  if (match) {
    codeName = match[1];
    message = match[2] ?? message;
  } else if (typeof e?.code === "number") {
    codeName = GRPC_CODE_NAMES[e.code];
    if (typeof e.details === "string" && e.details) message = e.details;
  }
  // NOTE: a write whose caveat context has the wrong shape (a parameter of the wrong type, or
  // one the caveat does not declare) comes back with no status or with Unknown; it is the
  // caller's mistake (checks report the same as InvalidArgument), never a 5xx.
  if ((!codeName || codeName === "Unknown") && CAVEAT_CONTEXT_ERROR.test(message)) return new EngineError({ kind: "invalid_argument", message });
  const kind: EngineFailure["kind"] = (codeName ? FAILURE_BY_CODE[codeName] : undefined) ?? "internal";
  // SpiceDB reports a failed precondition of a write as FailedPrecondition too; schema
  // lookups (unknown definition or relation) are FailedPrecondition as well, but they are the
  // caller's mistake, so they are reported as invalid arguments.
  if (kind === "failed_precondition" && /not found|unknown|does not exist|not allowed on relation|not a valid/i.test(message)) {
    return new EngineError({ kind: "invalid_argument", message });
  }
  return new EngineError({ kind, message });
}

/** fromConsistency reads a request's consistency; unset means minimize_latency, as in SpiceDB. */
export function fromConsistency(consistency: v1.Consistency | undefined): Consistency {
  const r = consistency?.requirement;
  switch (r?.oneofKind) {
    case "fullyConsistent":
      return { kind: "full" };
    case "atLeastAsFresh":
      return { kind: "at_least_as_fresh", token: r.atLeastAsFresh.token };
    // NOTE: the port has no exact-snapshot reads; at least as fresh is the nearest safe answer.
    case "atExactSnapshot":
      return { kind: "at_least_as_fresh", token: r.atExactSnapshot.token };
    default:
      return { kind: "minimize_latency" };
  }
}

const GRPC_CODE_BY_FAILURE: Record<EngineFailure["kind"], number> = {
  invalid_argument: 3,
  deadline_exceeded: 4,
  not_found: 5,
  already_exists: 6,
  resource_exhausted: 8,
  failed_precondition: 9,
  internal: 13,
  unavailable: 14,
};

/** toGrpcCode is the inverse of toEngineError: the gRPC status a failure is served with. */
export function toGrpcCode(kind: EngineFailure["kind"]): number {
  return GRPC_CODE_BY_FAILURE[kind];
}

/** toZedToken wraps a token string, leaving it out when there is none. */
export function toZedToken(token: string | undefined): v1.ZedToken | undefined {
  return token ? { token } : undefined;
}

/**
 * encodeCursor wraps SpiceDB's page cursor with the consistency of the first page: SpiceDB
 * refuses a cursor whose request differs, and "read your writes" would otherwise point each
 * page at a newer write. The next page resumes at exactly the same snapshot.
 */
export function encodeCursor(consistency: v1.Consistency, cursor: string): string {
  const r = consistency.requirement;
  const at = r.oneofKind === "atLeastAsFresh" ? r.atLeastAsFresh.token : r.oneofKind === "minimizeLatency" ? "~" : "";
  return Buffer.from(JSON.stringify({ c: cursor, t: at })).toString("base64url");
}

/** decodeCursor reverses encodeCursor; a cursor that was not made by it is an invalid argument. */
export function decodeCursor(encoded: string): { cursor: string; consistency: v1.Consistency } {
  try {
    const { c, t } = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as { c: unknown; t: unknown };
    if (typeof c !== "string" || typeof t !== "string") throw new Error("bad cursor");
    const consistency: v1.Consistency =
      t === "~"
        ? { requirement: { oneofKind: "minimizeLatency", minimizeLatency: true } }
        : t
          ? { requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: { token: t } } }
          : { requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } };
    return { cursor: c, consistency };
  } catch {
    throw new EngineError({ kind: "invalid_argument", message: "cursor is not valid: pass back the cursor of the previous page" });
  }
}
