// setUserPlan sets a personal account's plan (admin, e.g. from billing): `scale` lets the
// owner invite collaborators to personal projects (rule 10). Downgrading ends no invitation
// already sent; it stops new ones.
import type { Engine } from "../../engine/engine.js";
import type { PersonalPlan, Store } from "../../store/store.js";
import { auditDraft } from "../audit/audit-context.js";
import { engineCall } from "../errors.js";

export function createSetUserPlan(deps: { engine: Pick<Engine, "check">; store: Pick<Store, "setPlan">; now: () => Date }) {
  return {
    async execute(input: { userId: string; plan: PersonalPlan }): Promise<{ user: string; plan: PersonalPlan; zedToken: string }> {
      const at = deps.now();
      const user = `user:${input.userId}`;
      await deps.store.setPlan(input.userId, input.plan, at, auditDraft({ at, target: user, detail: { plan: input.plan }, objects: [user] }));
      // NOTE: only app state changed; the token is the engine's current state, which any check
      // answers with (even on an engine with no relationships yet, where reads carry none).
      const probe = await engineCall(() =>
        deps.engine.check({ resource: { type: "project", id: input.userId }, permission: "view", subject: { type: "user", id: input.userId } }, { kind: "full" }),
      );
      return { user: input.userId, plan: input.plan, zedToken: probe.zedToken };
    },
  };
}
