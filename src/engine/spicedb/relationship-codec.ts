// relationship-codec translates objects, subjects, caveat contexts, relationships, updates,
// filters and preconditions between the engine port's plain types and SpiceDB's v1 messages.
// Both engines and the gRPC endpoint use it.
import { v1 } from "@authzed/authzed-node";
import type { ObjectRef, Precondition, Relationship, RelationshipFilter, RelationshipUpdate, SubjectRef } from "../engine.js";

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
