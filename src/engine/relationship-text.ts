// relationship-text renders references and relationships in SpiceDB's string form:
// `type:id`, `type:id#relation` for subject sets, `resource#relation@subject`.
import type { ObjectRef, Relationship, SubjectRef } from "./engine.js";

export function formatObject(ref: ObjectRef): string {
  return `${ref.type}:${ref.id}`;
}

export function formatSubject(ref: SubjectRef): string {
  return ref.relation ? `${ref.type}:${ref.id}#${ref.relation}` : `${ref.type}:${ref.id}`;
}

export function formatRelationship(rel: Relationship): string {
  return `${formatObject(rel.resource)}#${rel.relation}@${formatSubject(rel.subject)}`;
}
