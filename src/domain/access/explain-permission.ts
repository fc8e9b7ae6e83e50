// explainPermission answers "why (not)?": the engine's traced check, reduced to the path of
// sub-problems that grants the permission, with the full trace for tools that want it.
import type { CheckItem, CheckTrace, Consistency, Engine } from "../../engine/engine.js";
import { toCheckAnswer, type CheckAnswer } from "../permissions/check-permission.js";
import { narrowBatchedGrants } from "./batched-grants.js";
import { describeGrant, granting, grantsOf } from "./describe-grant.js";
import { engineCall, fieldOfCheck } from "../errors.js";
import { featureCheck } from "../projects/project-scopes.js";

export interface ExplainStep {
  /** `type:id#permission-or-relation`, the sub-problem solved at this step. */
  node: string;
  kind: "relation" | "permission";
  result: CheckTrace["result"];
  caveat?: string;
}

export interface Explanation extends CheckAnswer {
  /** The steps from the question down to the relationship that grants it; empty when denied. */
  path: ExplainStep[];
  /** The relationship at the end of the path, e.g. project:p1#viewer@user:alice. */
  grantedBy?: string;
  /** The same answer in product terms, e.g. "editor through group eng on project p1". */
  reasons: string[];
  trace?: CheckTrace;
}

const ref = (t: CheckTrace) => `${t.resource.type}:${t.resource.id}#${t.permission}`;
const subject = (t: CheckTrace) => `${t.subject.type}:${t.subject.id}${t.subject.relation ? `#${t.subject.relation}` : ""}`;

/** grantPath follows the first granting child at each level down to a leaf. */
export function grantPath(trace: CheckTrace | undefined): ExplainStep[] {
  const path: ExplainStep[] = [];
  let node = trace;
  while (node && node.result !== "denied") {
    const step: ExplainStep = { node: ref(node), kind: node.kind, result: node.result };
    if (node.caveat) step.caveat = node.caveat;
    path.push(step);
    const steps = granting(node);
    node = steps.find((c) => c.result === "allowed") ?? steps.find((c) => c.result === "conditional");
  }
  return path;
}

export function createExplainPermission(deps: { engine: Pick<Engine, "explain" | "readRelationships"> }) {
  return {
    async execute(input: { item: CheckItem; consistency?: Consistency }): Promise<Explanation> {
      // A feature key asked as a project permission is explained on its project_feature (rule 13).
      const item = featureCheck(input.item);
      const { result, trace } = await engineCall(() => deps.engine.explain(item, input.consistency), fieldOfCheck(input.item));
      const path = grantPath(trace);
      const last = path[path.length - 1];
      const grants = await narrowBatchedGrants(deps.engine, grantsOf(trace), input.item.subject);
      const explanation: Explanation = { ...toCheckAnswer(result), path, reasons: grants.map(describeGrant), trace };
      if (last && last.kind === "relation" && trace) explanation.grantedBy = `${last.node}@${subject(trace)}`;
      return explanation;
    },
  };
}
