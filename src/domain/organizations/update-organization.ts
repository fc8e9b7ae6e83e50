// updateOrganization changes an organization's settings (name, seat limit): the billing area,
// so it needs manage_billing (billing scope full, or an admin or owner).
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { auditDraft } from "../audit/audit-context.js";
import { requirePermission } from "../authorize.js";
import type { OrganizationView } from "./create-organization.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { organizationRef, requireOrganization } from "./organization-graph.js";

export interface OrganizationChanges {
  name?: string;
  /** A positive integer, or null to remove the limit. */
  seatLimit?: number | null;
}

export function createUpdateOrganization(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getObject" | "putObject">; locks: KeyedMutex }) {
  return {
    async execute(input: { actor: Actor; orgId: string; changes: OrganizationChanges }): Promise<OrganizationView & { zedToken: string }> {
      // Serialized per organization: the record is read, changed and written back.
      return deps.locks.run(`organization:${input.orgId}`, async () => {
        const { zedToken } = await requireOrganization(deps.engine, input.orgId);
        await requirePermission(deps.engine, input.actor, organizationRef(input.orgId), "manage_billing");
        const current = await deps.store.getObject("organization", input.orgId);
        const name = input.changes.name ?? current?.name;
        const seatLimit = input.changes.seatLimit === undefined ? current?.seatLimit : (input.changes.seatLimit ?? undefined);
        const createdAt = current?.createdAt ?? new Date();
        const org = `organization:${input.orgId}`;
        const at = new Date();
        const audit = auditDraft({ at, target: org, detail: { name: name ?? null, seatLimit: seatLimit ?? null }, objects: [org] });
        await deps.store.putObject({ kind: "organization", id: input.orgId, name, seatLimit, createdAt }, audit);
        // NOTE: only app state changed; the token is the engine state the decision was made at.
        return { id: input.orgId, name, seatLimit, createdAt, zedToken };
      });
    },
  };
}
