// expand-subjects.ts: the fully recursive expansion a `validation:` block is compared against.
// SpiceDB's v1 Expand stops at subject sets (`group:eng#member` is a leaf); zed validate expands
// those too, so this follows each one, remembering every expansion for the rest of the document.
import type { Engine, ExpandNode, ObjectRef } from "../engine/engine.js";
import { formatSubject } from "../engine/relationship-text.js";
import { exclude, intersect, leafSet, union, type SubjectSet } from "./subject-set.js";

export type ExpandPort = Pick<Engine, "expand">;

/** SubjectExpander expands resource#relation into every subject that holds it, recursively. */
export class SubjectExpander {
  private readonly done = new Map<string, SubjectSet>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly engine: ExpandPort) {}

  async expand(resource: ObjectRef, relation: string): Promise<SubjectSet> {
    const key = `${resource.type}:${resource.id}#${relation}`;
    const known = this.done.get(key);
    if (known) return known;
    // NOTE: a cycle (group a contains group b contains group a) adds nothing new on the way back.
    if (this.inProgress.has(key)) return new Map();
    this.inProgress.add(key);
    try {
      const set = await this.fromNode(await this.engine.expand(resource, relation));
      this.done.set(key, set);
      return set;
    } finally {
      this.inProgress.delete(key);
    }
  }

  private async fromNode(node: ExpandNode): Promise<SubjectSet> {
    if (node.operation === "leaf") {
      const source = `${node.expanded.resource.type}:${node.expanded.resource.id}#${node.expanded.relation}`;
      let set = leafSet(node.subjects.map(formatSubject), source);
      for (const subject of node.subjects) {
        if (subject.relation) set = union(set, await this.expand({ type: subject.type, id: subject.id }, subject.relation));
      }
      return set;
    }
    const children: SubjectSet[] = [];
    for (const child of node.children) children.push(await this.fromNode(child));
    const [first = new Map(), ...rest] = children;
    const combine = node.operation === "union" ? union : node.operation === "intersection" ? intersect : exclude;
    return rest.reduce<SubjectSet>((set, next) => combine(set, next), first);
  }
}
