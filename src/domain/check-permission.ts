// checkPermission answers "may this subject do this on that resource?" — the hot path.
import type { CheckItem, CheckResult, Consistency, Engine } from "../engine/engine.js";
import { engineCall, fieldOfCheck } from "./errors.js";

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

export function createCheckPermission(deps: { engine: Pick<Engine, "check"> }) {
  return {
    async execute(input: { item: CheckItem; consistency?: Consistency }): Promise<CheckAnswer> {
      const result = await engineCall(() => deps.engine.check(input.item, input.consistency), fieldOfCheck(input.item));
      return toCheckAnswer(result);
    },
  };
}
