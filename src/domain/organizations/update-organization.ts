// updateOrganization changes an organization's settings. Each needs the scope of its area
// (rule 17): the name is a `general` setting (manage_general); the seat limit and whether the
// plan allows custom roles (`customRoles`) are `billing` settings (manage_billing). Members with
// the area's scope `full`, admins and owners may change them.
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
  /** Whether the organization may define and grant custom roles (rule 17). */
  customRoles?: boolean;
}

export function createUpdateOrganization(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "getObject" | "putObject">; locks: KeyedMutex }) {
  return {
    async execute(input: { actor: Actor; orgId: string; changes: OrganizationChanges }): Promise<OrganizationView & { zedToken: string }> {
      // Serialized per organization: the record is read, changed and written back.
      return deps.locks.run(`organization:${input.orgId}`, async () => {
        const { zedToken } = await requireOrganization(deps.engine, input.orgId);
        const { changes } = input;
        const org = organizationRef(input.orgId);
        if (changes.name !== undefined) await requirePermission(deps.engine, input.actor, org, "manage_general", `changing the name is a general setting: user:${input.actor.userId} lacks manage_general`);
        if (changes.seatLimit !== undefined || changes.customRoles !== undefined) {
          await requirePermission(deps.engine, input.actor, org, "manage_billing", `the seat limit and custom roles are billing settings: user:${input.actor.userId} lacks manage_billing`);
        }
        const current = await deps.store.getObject("organization", input.orgId);
        const name = changes.name ?? current?.name;
        const seatLimit = changes.seatLimit === undefined ? current?.seatLimit : (changes.seatLimit ?? undefined);
        const settings = changes.customRoles === undefined ? current?.settings : { ...current?.settings, customRoles: changes.customRoles };
        const customRoles = settings?.customRoles !== false;
        const createdAt = current?.createdAt ?? new Date();
        const target = `organization:${input.orgId}`;
        const at = new Date();
        const audit = auditDraft({ at, target, detail: { name: name ?? null, seatLimit: seatLimit ?? null, customRoles }, objects: [target] });
        await deps.store.putObject({ kind: "organization", id: input.orgId, name, seatLimit, ...(settings ? { settings } : {}), createdAt }, audit);
        // NOTE: only app state changed; the token is the engine state the decision was made at.
        return { id: input.orgId, name, seatLimit, customRoles, createdAt, zedToken };
      });
    },
  };
}
