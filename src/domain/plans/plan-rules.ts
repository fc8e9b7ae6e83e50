// plan-rules (rule 17): what an account's plan or an organization's settings allow, asked the
// same way wherever access is granted. A personal project's owner must be on `scale` for anyone
// to be invited or granted access there directly (project members, resource, folder and
// workspace shares); an organization's custom roles need its `customRoles` setting.
import type { Store } from "../../store/store.js";
import { planRequired } from "../errors.js";
import type { ProjectOwner } from "../projects/project-owner.js";
import { planOf } from "./personal-plan.js";

/**
 * requirePersonalGrantPlan throws 403 plan_required when `owner` is a user (a personal project)
 * whose plan is not `scale`; organization projects pass. `what` names the grant in the message
 * ("granting project members", "sharing folder f1").
 */
export async function requirePersonalGrantPlan(store: Pick<Store, "getPlan">, owner: ProjectOwner, projectId: string, what = "granting access"): Promise<void> {
  if (owner.kind !== "user") return;
  const plan = await planOf(store, owner.id);
  if (plan !== "scale") {
    throw planRequired(`${what} on personal project ${projectId} needs the scale plan; its owner user:${owner.id} is on ${plan}`);
  }
}

/** customRolesAllowed: an organization may use custom roles unless its settings turned them off. */
export async function customRolesAllowed(store: Pick<Store, "getObject">, orgId: string): Promise<boolean> {
  return (await store.getObject("organization", orgId))?.settings?.customRoles !== false;
}

/** requireCustomRolesAllowed throws 403 plan_required when the organization's settings do not allow custom roles. */
export async function requireCustomRolesAllowed(store: Pick<Store, "getObject">, orgId: string, what = "custom roles"): Promise<void> {
  if (!(await customRolesAllowed(store, orgId))) {
    throw planRequired(`${what}: organization ${orgId}'s plan or settings do not allow custom roles (customRoles is off)`);
  }
}
