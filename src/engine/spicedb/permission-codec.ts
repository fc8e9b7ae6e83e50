// permission-codec translates the permission service's messages: check requests (single and
// bulk), permissionships, and the two trees SpiceDB answers with — a check's debug trace and
// an expanded permission.
import { v1 } from "@authzed/authzed-node";
import type { CheckItem, CheckTrace, ExpandNode, Permissionship } from "../engine.js";
import { fromObjectReference, fromSubjectReference, toObjectReference, toStruct, toSubjectReference } from "./relationship-codec.js";

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
