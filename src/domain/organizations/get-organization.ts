// getOrganization returns an organization's settings to anyone who can view it (its members),
// with its seats (rule 16): the limit, the members, the pending invitations that hold a seat, and
// how many are still available — what to check before a bulk invite.
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import type { OrganizationView } from "./create-organization.js";
import { organizationRef, requireOrganization } from "./organization-graph.js";
import { readMemberIds } from "./seat-count.js";

/** Seats: `limit` and `available` are null when the organization has no seat limit. */
export interface Seats {
  limit: number | null;
  members: number;
  pending: number;
  available: number | null;
}

export function createGetOrganization(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getObject" | "countSeatInvitations">; now: () => Date }) {
  return {
    async execute(input: { actor: Actor; orgId: string }): Promise<OrganizationView & { features: string[]; seats: Seats }> {
      await requireOrganization(deps.engine, input.orgId);
      await requirePermission(deps.engine, input.actor, organizationRef(input.orgId), "view");
      const [record, members, pending] = await Promise.all([
        deps.store.getObject("organization", input.orgId),
        readMemberIds(deps.engine, input.orgId),
        deps.store.countSeatInvitations(input.orgId, deps.now()),
      ]);
      const limit = record?.seatLimit ?? null;
      const seats: Seats = { limit, members: members.size, pending, available: limit === null ? null : Math.max(0, limit - members.size - pending) };
      return {
        id: input.orgId,
        name: record?.name,
        seatLimit: record?.seatLimit,
        customRoles: record?.settings?.customRoles !== false,
        features: record?.settings?.features ?? [],
        createdAt: record?.createdAt ?? new Date(0),
        seats,
      };
    },
  };
}
