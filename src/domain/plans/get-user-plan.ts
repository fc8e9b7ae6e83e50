// getUserPlan reads a personal account's plan (admin); `starter` until one is set.
import type { PersonalPlan, Store } from "../../store/store.js";
import { planOf } from "./personal-plan.js";

export function createGetUserPlan(deps: { store: Pick<Store, "getPlan"> }) {
  return {
    async execute(input: { userId: string }): Promise<{ user: string; plan: PersonalPlan }> {
      return { user: input.userId, plan: await planOf(deps.store, input.userId) };
    },
  };
}
