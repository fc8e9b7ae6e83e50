// checkPermission answers "may this subject do this on that resource?" — the hot path. A feature
// key asked as a project permission (`project:p#view_<key>`, rule 13) is asked of the object
// that holds it (`project_feature:p|<key>#view`, projects/project-scopes.ts).
import type { CheckItem, CheckResult, Consistency, Engine } from "../../engine/engine.js";
import { engineCall, fieldOfCheck } from "../errors.js";
import { featureCheck } from "../projects/project-scopes.js";

export interface CheckAnswer {
  allowed: boolean;
  conditional?: true;
  missingContext?: string[];
  zedToken: string;
}

/** toCheckAnswer renders an engine result: a conditional result is not (yet) allowed. */
export function toCheckAnswer(result: CheckResult): CheckAnswer {
  const answer: CheckAnswer = { allowed: result.permissionship === "allowed", zedToken: result.zedToken };
  if (result.permissionship === "conditional") {
    answer.conditional = true;
    answer.missingContext = result.missingContext ?? [];
  }
  return answer;
}

export function createCheckPermission(deps: { engine: Pick<Engine, "check" | "checkFromCache"> }) {
  return {
    async execute(input: { item: CheckItem; consistency?: Consistency }): Promise<CheckAnswer> {
      const item = featureCheck(input.item);
      const result = await engineCall(() => deps.engine.check(item, input.consistency), fieldOfCheck(input.item));
      return toCheckAnswer(result);
    },
    /**
     * fromCache is execute's answer when the check cache holds it, given at once (no promise, no
     * engine call: most checks, so the hot path stays synchronous); undefined means call execute.
     */
    fromCache(input: { item: CheckItem; consistency?: Consistency }): CheckAnswer | undefined {
      const result = deps.engine.checkFromCache?.(featureCheck(input.item), input.consistency);
      return result && toCheckAnswer(result);
    },
  };
}
