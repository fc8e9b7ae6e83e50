// personalPlan (rule 10): a personal account is on `starter` (the default) or `scale`; only a
// `scale` owner's personal projects take invitations.
import type { PersonalPlan, Store } from "../../store/store.js";
import { planRequired } from "../errors.js";

export const PERSONAL_PLANS = ["starter", "scale"] as const satisfies readonly PersonalPlan[];
export const DEFAULT_PLAN: PersonalPlan = "starter";

export async function planOf(store: Pick<Store, "getPlan">, userId: string): Promise<PersonalPlan> {
  return (await store.getPlan(userId)) ?? DEFAULT_PLAN;
}

/** requireInvitingPlan throws 403 plan_required unless the personal project's owner is on `scale`. */
export async function requireInvitingPlan(store: Pick<Store, "getPlan">, ownerId: string, projectId: string): Promise<void> {
  const plan = await planOf(store, ownerId);
  if (plan !== "scale") {
    throw planRequired(`inviting collaborators to personal project ${projectId} needs the scale plan; its owner user:${ownerId} is on ${plan}`);
  }
}
