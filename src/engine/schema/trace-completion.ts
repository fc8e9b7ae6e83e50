// completeTrace fills in the steps of a check trace that SpiceDB answered from its dispatch
// cache. A real SpiceDB server caches sub-problems by revision, and a cached step comes back
// bare: no sub-problems, not even whether the name is a relation or a permission — so an
// explanation built from it would name `project:p1#view` where the grant is `viewer`.
// For each granting cached step this asks the engine the step's own sub-problems at the same
// freshness, the way SpiceDB would have traced them: a permission's leaves (its relations and
// permissions, and each object an arrow's relation names), a relation's usersets (each
// `group:g#member` it holds). Every answer comes from the engine; only the shape of the
// question comes from the schema. Bounded in depth and in calls; what is left is returned as
// it came (marked cached).
import type { CheckItem, CheckTrace, Consistency, ExplainResult, ReadRelationshipsPage, RelationshipFilter } from "../engine.js";
import { leavesOf, memberKind, type SchemaModel } from "./schema-model.js";

export interface TraceSource {
  /** A traced check at the given freshness (the raw engine call, not completed again). */
  tracedCheck(item: CheckItem, consistency: Consistency): Promise<ExplainResult>;
  readRelationships(filter: RelationshipFilter, page: { limit: number }, consistency: Consistency): Promise<ReadRelationshipsPage>;
}

const MAX_DEPTH = 12;
const MAX_CALLS = 96;
/** Relationships read per step: explanations name grants, and a step with more is left to the first ones. */
const READ_LIMIT = 100;

export function hasCachedStep(trace: CheckTrace | undefined): boolean {
  return !!trace && trace.result !== "denied" && (trace.cached === true || trace.children.some(hasCachedStep));
}

export async function completeTrace(trace: CheckTrace, schema: SchemaModel, source: TraceSource, consistency: Consistency): Promise<CheckTrace> {
  let calls = 0;
  const budget = () => calls++ < MAX_CALLS;

  const ask = async (item: CheckItem, depth: number): Promise<CheckTrace | undefined> => {
    if (!budget()) return undefined;
    const { trace: sub } = await source.tracedCheck(item, consistency);
    return sub && sub.result !== "denied" ? complete(sub, depth + 1) : undefined;
  };
  const read = async (filter: RelationshipFilter) => {
    if (!budget()) return [];
    return (await source.readRelationships(filter, { limit: READ_LIMIT }, consistency)).relationships;
  };

  async function complete(node: CheckTrace, depth: number): Promise<CheckTrace> {
    if (node.result === "denied") return node;
    if (!node.cached) return { ...node, children: await Promise.all(node.children.map((c) => complete(c, depth))) };
    const kind = memberKind(schema, node.resource.type, node.permission);
    if (!kind || depth >= MAX_DEPTH) return kind ? { ...node, kind } : node;
    const children = kind === "relation" ? await usersetSteps(node, depth) : await leafSteps(node, depth);
    const { cached: _cached, ...rest } = node;
    return { ...rest, kind, children };
  }

  /** usersetSteps: for a relation, the usersets it holds that grant (a direct grant needs none). */
  async function usersetSteps(node: CheckTrace, depth: number): Promise<CheckTrace[]> {
    const relationships = await read({ resourceType: node.resource.type, resourceId: node.resource.id, relation: node.permission });
    const subjectSets = relationships.filter((r) => r.subject.relation !== undefined && r.subject.relation !== "");
    const steps = await Promise.all(
      subjectSets.map((r) => ask({ resource: { type: r.subject.type, id: r.subject.id }, permission: r.subject.relation!, subject: node.subject }, depth)),
    );
    return steps.filter((s): s is CheckTrace => s !== undefined);
  }

  /** leafSteps: for a permission, each relation, permission and arrow target its expression names. */
  async function leafSteps(node: CheckTrace, depth: number): Promise<CheckTrace[]> {
    const expr = schema.definitions.get(node.resource.type)?.permissions.get(node.permission);
    if (!expr) return [];
    const steps: Array<Promise<CheckTrace | undefined>> = [];
    for (const leaf of leavesOf(expr, true)) {
      if (leaf.op === "ref") {
        steps.push(ask({ resource: node.resource, permission: leaf.name, subject: node.subject }, depth));
      } else {
        const objects = await read({ resourceType: node.resource.type, resourceId: node.resource.id, relation: leaf.tupleset });
        for (const r of objects) steps.push(ask({ resource: { type: r.subject.type, id: r.subject.id }, permission: leaf.target, subject: node.subject }, depth));
      }
    }
    return (await Promise.all(steps)).filter((s): s is CheckTrace => s !== undefined);
  }

  return complete(trace, 0);
}
