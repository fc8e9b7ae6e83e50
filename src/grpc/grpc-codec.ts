// grpc-codec holds the server-side direction of the SpiceDB v1 mapping: requests arriving at
// the gRPC endpoint become engine-port values, port results become v1 responses. The client
// direction (and everything both share) lives in ../engine/spicedb/*-codec.ts.
import { v1 } from "@authzed/authzed-node";
import type {
  CheckItem,
  CheckTrace,
  ExpandNode,
  Permissionship,
  Precondition,
  RelationshipFilter,
  RelationshipUpdate,
} from "../engine/engine.js";
import { fromObjectReference, fromRelationship, fromStruct, fromSubjectReference, toObjectReference, toSubjectReference } from "../engine/spicedb/relationship-codec.js";

const UPDATE_OPERATIONS: Record<number, RelationshipUpdate["operation"]> = {
  [v1.RelationshipUpdate_Operation.TOUCH]: "touch",
  [v1.RelationshipUpdate_Operation.CREATE]: "create",
  [v1.RelationshipUpdate_Operation.DELETE]: "delete",
};

export function fromRelationshipUpdate(update: v1.RelationshipUpdate): RelationshipUpdate {
  const operation = UPDATE_OPERATIONS[update.operation];
  if (!operation || !update.relationship) throw new RequestError("each update needs an operation and a relationship");
  return { operation, relationship: fromRelationship(update.relationship) };
}

export function fromRelationshipFilter(filter: v1.RelationshipFilter | undefined): RelationshipFilter {
  if (!filter) return {};
  if (filter.optionalResourceIdPrefix) throw new RequestError("optional_resource_id_prefix is not supported by this endpoint");
  const out: RelationshipFilter = {};
  if (filter.resourceType) out.resourceType = filter.resourceType;
  if (filter.optionalResourceId) out.resourceId = filter.optionalResourceId;
  if (filter.optionalRelation) out.relation = filter.optionalRelation;
  const subject = filter.optionalSubjectFilter;
  if (subject) {
    out.subject = { type: subject.subjectType };
    if (subject.optionalSubjectId) out.subject.id = subject.optionalSubjectId;
    if (subject.optionalRelation) out.subject.relation = subject.optionalRelation.relation;
  }
  return out;
}

export function fromPreconditions(preconditions: v1.Precondition[]): Precondition[] {
  return preconditions.map((p) => ({
    operation: p.operation === v1.Precondition_Operation.MUST_NOT_MATCH ? "must_not_exist" : "must_exist",
    filter: fromRelationshipFilter(p.filter),
  }));
}

export function fromCheckItem(item: {
  resource?: v1.ObjectReference;
  permission: string;
  subject?: v1.SubjectReference;
  context?: v1.PbStruct;
}): CheckItem {
  const out: CheckItem = {
    resource: fromObjectReference(item.resource),
    permission: item.permission,
    subject: fromSubjectReference(item.subject),
  };
  const context = fromStruct(item.context);
  if (context) out.context = context;
  return out;
}

const CHECK_PERMISSIONSHIP: Record<Permissionship, v1.CheckPermissionResponse_Permissionship> = {
  allowed: v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION,
  denied: v1.CheckPermissionResponse_Permissionship.NO_PERMISSION,
  conditional: v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION,
};

export function toCheckPermissionship(p: Permissionship): v1.CheckPermissionResponse_Permissionship {
  return CHECK_PERMISSIONSHIP[p];
}

export function toLookupPermissionship(p: Permissionship): v1.LookupPermissionship {
  return p === "conditional" ? v1.LookupPermissionship.CONDITIONAL_PERMISSION : v1.LookupPermissionship.HAS_PERMISSION;
}

export function toPartialCaveatInfo(missing: string[] | undefined): v1.PartialCaveatInfo | undefined {
  return missing?.length ? { missingRequiredContext: missing } : undefined;
}

type DebugTrace = NonNullable<NonNullable<v1.CheckPermissionResponse["debugTrace"]>["check"]>;
// CheckDebugTrace's enums (values stable in the proto): permission type, permissionship.
const TRACE_RESULT: Record<Permissionship, number> = { denied: 1, allowed: 2, conditional: 3 };

export function toDebugTrace(trace: CheckTrace): DebugTrace {
  const out = {
    resource: toObjectReference(trace.resource),
    permission: trace.permission,
    permissionType: trace.kind === "relation" ? 1 : 2,
    subject: toSubjectReference(trace.subject),
    result: TRACE_RESULT[trace.result],
    resolution: trace.children.length
      ? { oneofKind: "subProblems", subProblems: { traces: trace.children.map(toDebugTrace) } }
      : { oneofKind: "wasCachedResult", wasCachedResult: false },
  } as DebugTrace;
  if (trace.caveat) out.caveatEvaluationInfo = { caveatName: trace.caveat, expression: "", result: 0, partialCaveatInfo: undefined, context: undefined } as unknown as DebugTrace["caveatEvaluationInfo"];
  return out;
}

const TREE_OPERATION = {
  union: v1.AlgebraicSubjectSet_Operation.UNION,
  intersection: v1.AlgebraicSubjectSet_Operation.INTERSECTION,
  exclusion: v1.AlgebraicSubjectSet_Operation.EXCLUSION,
} as const;

export function toExpandTree(node: ExpandNode): v1.PermissionRelationshipTree {
  const base = { expandedObject: toObjectReference(node.expanded.resource), expandedRelation: node.expanded.relation };
  if (node.operation === "leaf") {
    return { ...base, treeType: { oneofKind: "leaf", leaf: { subjects: node.subjects.map(toSubjectReference) } } };
  }
  return {
    ...base,
    treeType: { oneofKind: "intermediate", intermediate: { operation: TREE_OPERATION[node.operation], children: node.children.map(toExpandTree) } },
  };
}

/** RequestError is a malformed request: served as INVALID_ARGUMENT. */
export class RequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RequestError";
  }
}
