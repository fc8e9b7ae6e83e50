// checkBulkPermissions answers many checks in one engine call; an error stays with its item.
// Feature keys asked as project permissions are rewritten as in checkPermission (rule 13).
import type { CheckItem, Consistency, Engine } from "../../engine/engine.js";
import { toCheckAnswer, type CheckAnswer } from "./check-permission.js";
import { engineCall, fromEngineFailure } from "../errors.js";
import { featureCheck } from "../projects/project-scopes.js";

export type BulkAnswer = Omit<CheckAnswer, "zedToken"> | { error: { code: string; message: string } };

export function createCheckBulkPermissions(deps: { engine: Pick<Engine, "checkBulk"> }) {
  return {
    async execute(input: { items: CheckItem[]; consistency?: Consistency }): Promise<{ results: BulkAnswer[]; zedToken: string }> {
      const { results, zedToken } = await engineCall(() => deps.engine.checkBulk(input.items.map(featureCheck), input.consistency));
      return {
        zedToken,
        results: results.map((r): BulkAnswer => {
          if (!r.ok) {
            const failure = fromEngineFailure(r.error).failure;
            return { error: { code: failure.kind, message: failure.detail } };
          }
          const { zedToken: _token, ...answer } = toCheckAnswer(r.result);
          return answer;
        }),
      };
    },
  };
}
