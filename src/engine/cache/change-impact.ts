// change-impact says, from the schema alone, which cached answers a relationship change can
// alter — so a write drops those and keeps the rest.
//
// Why this is exact. SpiceDB answers `type#permission` for a subject by evaluating the
// permission's expression: its leaves are relations and permissions of the same type, arrows
// (read the tupleset relation, then a permission on each object it names) and, inside a
// relation, usersets (`group#member`: the members of another object's relation). So the answer
// of (type, permission) reads only relationships of the (type, relation) pairs reachable
// backwards from it through those edges; a change to any other relation cannot alter it. That
// is the `pairs` set: every (type, name) whose evaluation can reach the changed (type,
// relation), the changed relation itself included.
// The subject narrows it further. A relationship whose subject is a plain object (`user:u`: no
// relation, not a wildcard) only adds `user:u` to (or takes it from) one set of direct
// subjects; the evaluation walks on from a subject only through usersets (it has no relation)
// or arrows (excluded: a relation that an arrow walks changes which objects are visited, for
// everyone). So only answers whose subject is `user:u` can change, in every union,
// intersection and exclusion alike. A wildcard (`user:*`) reaches every subject of its type.
// A userset subject (`group:g#member`) or an arrow's relation can reach any subject: only the
// pairs bound it. Caveats and expiry change no reachability (conditional answers are never
// cached; an expiry is a delete at its time); a schema change drops everything.
// The object narrows it too. The edges above are of two kinds: within one object (a permission
// reading a relation or permission of its own type, or the tupleset relation its arrow reads)
// and across objects (a userset, an arrow's target). When every edge reachable from the changed
// (type, relation) stays within one object — nothing reads it through a userset or an arrow's
// target, directly or through what it feeds — then an evaluation that reads `type:r#relation`
// was asked about `type:r` itself: only answers on that resource can change (`resource:r#viewer`
// feeds `resource:r#view` and nothing on any other object).
// The objects above bound it where the graph does (embedded mode, change-intake.ts): an
// evaluation of `R` reaches `X#relation` only along relationships, each naming the next object as
// its subject (a userset or an arrow's target), from R down to X. So only objects from which X
// is reachable that way — X, the objects with a relationship whose subject is X, those naming
// them, and so on — can have their answers changed: `resources`, read from the relationships
// when the change is made (a superset: every relationship naming an object counts, whatever it
// feeds). A change that would add an object to it names an object as its subject (a userset, or
// a relation an arrow walks), so it is not narrowed by subject and drops for everyone itself.
import type { ObjectRef, RelationshipFilter, SubjectRef } from "../engine.js";
import { leavesOf, type SchemaModel } from "../schema/schema-model.js";

/** Impact is what a change can alter: answers of these pairs, for this subject or subject type, or for any subject. */
export interface Impact {
  /** `type#name` pairs whose answers may change, or "all" when the schema does not say. */
  pairs: ReadonlySet<string> | "all";
  /** Only answers whose subject is this plain object (`user:u`). */
  subject?: string;
  /** Only answers whose subject has this type (a wildcard changed). */
  subjectType?: string;
  /** Only answers on this resource (`type:id`): the changed relation is read within its object only. */
  resource?: string;
  /** Only answers on these resources (`type:id`): every object that can reach the changed one. */
  resources?: ReadonlySet<string>;
}

export const EVERYTHING: Impact = Object.freeze({ pairs: "all" as const });

export const pairKey = (type: string, name: string) => `${type}#${name}`;
export const subjectKeyOf = (subject: SubjectRef) => `${subject.type}:${subject.id}${subject.relation ? `#${subject.relation}` : ""}`;

export const objectKeyOf = (object: ObjectRef) => `${object.type}:${object.id}`;

/**
 * affects says whether a change with this impact can alter the answer of (pair, subject) on
 * `resource`; without a resource, on any resource of the pair (a subject set).
 */
export function affects(impact: Impact, pair: string, subject: SubjectRef, resource?: ObjectRef): boolean {
  if (impact.pairs !== "all" && !impact.pairs.has(pair)) return false;
  if (impact.resource !== undefined && resource !== undefined && impact.resource !== objectKeyOf(resource)) return false;
  if (impact.resources !== undefined && resource !== undefined && !impact.resources.has(objectKeyOf(resource))) return false;
  if (impact.subject !== undefined) return impact.subject === subjectKeyOf(subject);
  if (impact.subjectType !== undefined) return impact.subjectType === subject.type;
  return true;
}

export class ImpactRules {
  /** For each `type#name`, the pairs whose evaluation can reach it (itself included). */
  private readonly reach = new Map<string, Set<string>>();
  /** `type#relation` pairs that some arrow walks. */
  private readonly tuplesets = new Set<string>();
  /** Pairs from which every reachable edge stays within one object (a change there alters answers on its own resource only). */
  private readonly withinObject = new Set<string>();

  constructor(private readonly schema: SchemaModel) {
    const dependents = new Map<string, Set<string>>();
    /** Pairs with an edge to another object (a userset, an arrow's target). */
    const leavesObject = new Set<string>();
    const edge = (from: string, to: string, acrossObjects: boolean) => {
      let set = dependents.get(from);
      if (!set) {
        set = new Set();
        dependents.set(from, set);
      }
      set.add(to);
      if (acrossObjects) leavesObject.add(from);
    };
    for (const [type, definition] of schema.definitions) {
      for (const [name, relation] of definition.relations) {
        for (const allowed of relation.allowed) if (allowed.relation) edge(pairKey(allowed.type, allowed.relation), pairKey(type, name), true);
      }
      for (const [name, expr] of definition.permissions) {
        for (const leaf of leavesOf(expr, false)) {
          if (leaf.op === "ref") edge(pairKey(type, leaf.name), pairKey(type, name), false);
          else {
            this.tuplesets.add(pairKey(type, leaf.tupleset));
            edge(pairKey(type, leaf.tupleset), pairKey(type, name), false);
            for (const allowed of definition.relations.get(leaf.tupleset)?.allowed ?? []) edge(pairKey(allowed.type, leaf.target), pairKey(type, name), true);
          }
        }
      }
    }
    for (const [type, definition] of schema.definitions) {
      for (const name of [...definition.relations.keys(), ...definition.permissions.keys()]) {
        const start = pairKey(type, name);
        const seen = new Set([start]);
        const queue = [start];
        for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
          for (const dependent of dependents.get(next) ?? []) {
            if (seen.has(dependent)) continue;
            seen.add(dependent);
            queue.push(dependent);
          }
        }
        this.reach.set(start, seen);
        if (![...seen].some((pair) => leavesObject.has(pair))) this.withinObject.add(start);
      }
    }
  }

  /** ofRelationship: the impact of writing or deleting (or the expiry of) one relationship. */
  ofRelationship(resource: ObjectRef, relation: string, subject: SubjectRef): Impact {
    const pair = pairKey(resource.type, relation);
    const pairs = this.reach.get(pair);
    if (!pairs) return EVERYTHING;
    const within = this.withinObject.has(pair) ? { resource: objectKeyOf(resource) } : {};
    if (subject.id === "*") return { pairs, subjectType: subject.type, ...within };
    if ((subject.relation && subject.relation !== "...") || this.tuplesets.has(pair)) return { pairs, ...within };
    return { pairs, subject: subjectKeyOf({ type: subject.type, id: subject.id }), ...within };
  }

  /** ofFilter: the impact of deleting by filter — every relation it may match, any subject (one resource when it names one and they are all read within it). */
  ofFilter(filter: RelationshipFilter): Impact {
    if (!filter.resourceType) return EVERYTHING;
    const definition = this.schema.definitions.get(filter.resourceType);
    if (!definition) return EVERYTHING;
    const relations = filter.relation ? [filter.relation] : [...definition.relations.keys()];
    const pairs = new Set<string>();
    let within = filter.resourceId !== undefined;
    for (const relation of relations) {
      const pair = pairKey(filter.resourceType, relation);
      const reached = this.reach.get(pair);
      if (!reached) return EVERYTHING;
      for (const p of reached) pairs.add(p);
      within &&= this.withinObject.has(pair);
    }
    return within ? { pairs, resource: objectKeyOf({ type: filter.resourceType, id: filter.resourceId! }) } : { pairs };
  }
}
