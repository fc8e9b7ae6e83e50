// setOrgMember adds a user to an organization or changes their role and scopes (PUT).
// Rules: manage_members always; admin in or out needs manage_admins, owner in or out needs
// manage_owners (rule 3 one level up); one role per user; never zero owners; seat limit for
// new members; scopes a scoped manager grants stay within their own.
import type { Engine, Precondition } from "../engine/engine.js";
import type { Store } from "../store/store.js";
import type { Actor } from "./actor.js";
import { applyChange } from "./apply-change.js";
import { requirePermission } from "./authorize.js";
import { seatLimitReached } from "./errors.js";
import type { KeyedMutex } from "./keyed-mutex.js";
import { DEFAULT_SCOPES, ORG_ROLES, type OrgRole, type Scopes } from "./model.js";
import { membershipUpdates, requireOtherOwner, requireScopesWithinActor, roleFilter } from "./org-member-rules.js";
import { organizationRef, readMembership, readRoleHolders, requireOrganization } from "./organization-graph.js";

export interface OrgMemberView {
  user: string;
  role: OrgRole;
  scopes: Scopes;
}

type Deps = { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "getObject">; locks: KeyedMutex };

async function requireSeat(deps: Deps, orgId: string): Promise<void> {
  const seatLimit = (await deps.store.getObject("organization", orgId))?.seatLimit;
  if (seatLimit === undefined) return;
  const seats = new Set<string>();
  for (const role of ORG_ROLES) for (const id of await readRoleHolders(deps.engine, orgId, role)) seats.add(id);
  if (seats.size >= seatLimit) throw seatLimitReached(`organization:${orgId} has ${seats.size} of ${seatLimit} seats taken`);
}

export function createSetOrgMember(deps: Deps) {
  return {
    async execute(input: { actor: Actor; orgId: string; userId: string; role: OrgRole; scopes?: Partial<Scopes> }): Promise<OrgMemberView & { zedToken: string }> {
      const { engine } = deps;
      // Serialized per organization: last-owner and seat-limit rules read, then write.
      return deps.locks.run(`organization:${input.orgId}`, async () => {
        const { zedToken } = await requireOrganization(engine, input.orgId);
        const org = organizationRef(input.orgId);
        await requirePermission(engine, input.actor, org, "manage_members");
        const current = await readMembership(engine, input.orgId, input.userId);
        const roles = new Set([current.role, input.role]);
        if (roles.has("admin")) await requirePermission(engine, input.actor, org, "manage_admins", "granting, changing or removing an admin needs manage_admins");
        if (roles.has("owner")) await requirePermission(engine, input.actor, org, "manage_owners", "granting, changing or removing an owner needs manage_owners (owners only)");

        const baseline = current.role ? current.scopes : DEFAULT_SCOPES;
        const scopes: Scopes = { ...baseline, ...input.scopes };
        await requireScopesWithinActor(engine, input.actor, input.orgId, baseline, scopes);

        const preconditions: Precondition[] = [];
        if (current.role) {
          preconditions.push({ operation: "must_exist", filter: roleFilter(input.orgId, current.role, input.userId) });
        } else {
          await requireSeat(deps, input.orgId);
          for (const role of ORG_ROLES) preconditions.push({ operation: "must_not_exist", filter: roleFilter(input.orgId, role, input.userId) });
        }
        if (current.role === "owner" && input.role !== "owner") preconditions.push(await requireOtherOwner(engine, input.orgId, input.userId));

        const updates = membershipUpdates(input.orgId, current, { role: input.role, scopes });
        const written = updates.length > 0 ? await applyChange(engine, { updates, preconditions }) : { zedToken };
        return { user: input.userId, role: input.role, scopes, zedToken: written.zedToken };
      });
    },
  };
}
