// setOrgMember adds a user to an organization or changes their role and scopes (PUT).
// Rules: manage_members always; admin in or out needs manage_admins, owner in or out needs
// manage_owners (rule 3 one level up); one role per user; never zero owners; seat limit for
// new members (members plus pending invitations, rule 9); scopes a scoped manager grants stay
// within their own. Accepting an organization invitation writes through orgMembershipChange too.
import type { Engine, Precondition, RelationshipUpdate } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { DEFAULT_SCOPES, ORG_ROLES, type OrgRole, type Scopes } from "../model.js";
import { membershipUpdates, requireOtherOwner, requireScopesWithinActor, roleFilter } from "./org-member-rules.js";
import { organizationRef, readMembership, requireOrganization, type Membership } from "./organization-graph.js";
import { requireFreeSeat, requireHeldSeat, type SeatDeps } from "./seat-count.js";

export interface OrgMemberView {
  user: string;
  role: OrgRole;
  scopes: Scopes;
}

type Deps = {
  engine: Pick<Engine, "check" | "readRelationships" | "write">;
  store: Pick<Store, "getObject" | "countSeatInvitations" | "listPendingInvitationsFor" | "endInvitationsOf" | "putMember">;
  locks: KeyedMutex;
  now?: () => Date;
};

/**
 * orgMembershipChange is the write that takes a user from `current` to role and scopes,
 * whoever asked: its preconditions keep one role per user and an owner besides them. A new
 * member needs a free seat, unless their accepted invitation already held it (`seat: "held"`);
 * even then the members may not outgrow a seat limit lowered since the invitation was sent.
 */
export async function orgMembershipChange(
  deps: SeatDeps,
  input: { orgId: string; current: Membership; role: OrgRole; scopes: Scopes; seat: "check" | "held"; now: Date },
): Promise<{ updates: RelationshipUpdate[]; preconditions: Precondition[] }> {
  const { orgId, current } = input;
  const preconditions: Precondition[] = [];
  if (current.role) {
    preconditions.push({ operation: "must_exist", filter: roleFilter(orgId, current.role, current.userId) });
  } else {
    if (input.seat === "check") await requireFreeSeat(deps, orgId, current.userId, input.now);
    else await requireHeldSeat(deps, orgId);
    for (const role of ORG_ROLES) preconditions.push({ operation: "must_not_exist", filter: roleFilter(orgId, role, current.userId) });
  }
  if (current.role === "owner" && input.role !== "owner") preconditions.push(await requireOtherOwner(deps.engine, orgId, current.userId));
  return { updates: membershipUpdates(orgId, current, { role: input.role, scopes: input.scopes }), preconditions };
}

export function createSetOrgMember(deps: Deps) {
  const now = deps.now ?? (() => new Date());
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

        const at = now();
        const change = await orgMembershipChange(deps, { orgId: input.orgId, current, role: input.role, scopes, seat: "check", now: at });
        // Added directly, a new member's pending invitation to the organization is superseded (and
        // frees its seat); when they joined is recorded for the member directory (rule 16).
        const then = current.role
          ? undefined
          : async () => {
              await deps.store.putMember({ orgId: input.orgId, userId: input.userId, joinedAt: at });
              await deps.store.endInvitationsOf(input.orgId, input.userId, { at, by: input.actor.userId, targetType: "organization" });
            };
        const written = change.updates.length > 0 ? await applyChange(engine, { ...change, then }) : { zedToken };
        return { user: input.userId, role: input.role, scopes, zedToken: written.zedToken };
      });
    },
  };
}
