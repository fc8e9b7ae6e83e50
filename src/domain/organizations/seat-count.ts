// seatCount enforces rule 9: an organization's members plus its pending invitations (those
// that would add a member) may not exceed its seat limit — on invite and on direct add.
import type { Store } from "../../store/store.js";
import { seatLimitReached } from "../errors.js";
import { ORG_ROLES } from "../model.js";
import { readRoleHolders, type GraphReader } from "./organization-graph.js";

export interface SeatDeps {
  engine: GraphReader;
  store: Pick<Store, "getObject" | "countSeatInvitations" | "listPendingInvitationsFor">;
}

/** readMemberIds lists the users holding any org role (one seat each). */
export async function readMemberIds(engine: GraphReader, orgId: string): Promise<Set<string>> {
  const members = new Set<string>();
  const holders = await Promise.all(ORG_ROLES.map((role) => readRoleHolders(engine, orgId, role)));
  for (const ids of holders) for (const id of ids) members.add(id);
  return members;
}

/** seatLimitOf is the organization's seat limit, or undefined when it has none. */
export async function seatLimitOf(store: Pick<Store, "getObject">, orgId: string): Promise<number | undefined> {
  return (await store.getObject("organization", orgId))?.seatLimit;
}

/**
 * requireFreeSeat throws 409 seat_limit_reached unless one more member fits. A user whose own
 * pending invitation to the organization already holds a seat needs no second one.
 * NOTE: callers hold the organization's lock; invitations re-check inside the store insert.
 */
export async function requireFreeSeat(deps: SeatDeps, orgId: string, userId: string, now: Date): Promise<void> {
  const seatLimit = await seatLimitOf(deps.store, orgId);
  if (seatLimit === undefined) return;
  const [members, invited, own] = await Promise.all([
    readMemberIds(deps.engine, orgId),
    deps.store.countSeatInvitations(orgId, now),
    deps.store.listPendingInvitationsFor([{ kind: "user", id: userId }], now, 1000),
  ]);
  if (own.some((i) => i.orgId === orgId && i.holdsSeat)) return;
  if (members.size + invited >= seatLimit) {
    throw seatLimitReached(`organization:${orgId} has ${members.size} members and ${invited} pending invitations of ${seatLimit} seats`);
  }
}

/**
 * requireHeldSeat is the seat check of an accepted invitation: its seat was held since it was
 * sent, but a seat limit lowered meanwhile (below members plus pending) must still hold for
 * members: accepting never makes them more than the limit (409 seat_limit_reached).
 * NOTE: callers hold the organization's lock (across replicas in remote mode).
 */
export async function requireHeldSeat(deps: SeatDeps, orgId: string): Promise<void> {
  const seatLimit = await seatLimitOf(deps.store, orgId);
  if (seatLimit === undefined) return;
  const members = await readMemberIds(deps.engine, orgId);
  if (members.size >= seatLimit) {
    throw seatLimitReached(`organization:${orgId} has ${members.size} members of ${seatLimit} seats (the limit was lowered since this invitation was sent)`);
  }
}
