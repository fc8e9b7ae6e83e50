// createOrganization creates an organization whose creator is its owner (docs/rules.md),
// with the default member scopes stored so a later demotion lands on the defaults.
import type { Engine, RelationshipUpdate } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { DomainError, alreadyExists } from "../errors.js";
import { DEFAULT_SCOPES, ORG_AREAS, ref, relationship, scopeRelation, userRef } from "../model.js";

export interface OrganizationView {
  id: string;
  name?: string;
  seatLimit?: number;
  /** Whether the plan or settings allow custom roles (rule 17). */
  customRoles: boolean;
  createdAt: Date;
}

export function createCreateOrganization(deps: { engine: Pick<Engine, "write" | "readRelationships">; store: Pick<Store, "putObject" | "putMember"> }) {
  return {
    async execute(input: { actor: Actor; id: string; name?: string; seatLimit?: number }): Promise<OrganizationView & { zedToken: string }> {
      const org = ref("organization", input.id);
      const creator = userRef(input.actor.userId);
      const updates: RelationshipUpdate[] = [{ operation: "touch", relationship: relationship(org, "owner", creator) }];
      for (const area of ORG_AREAS) {
        const level = DEFAULT_SCOPES[area];
        if (level !== "none") updates.push({ operation: "touch", relationship: relationship(org, scopeRelation(area, level), creator) });
      }
      const record = { kind: "organization" as const, id: input.id, name: input.name, seatLimit: input.seatLimit, createdAt: new Date() };
      try {
        // The precondition makes two concurrent creates of one id end with exactly one winner.
        const written = await applyChange(deps.engine, {
          updates,
          preconditions: [{ operation: "must_not_exist", filter: { resourceType: "organization", resourceId: input.id, relation: "owner" } }],
          then: async () => {
            await deps.store.putObject(record);
            // The creator is its first member (rule 16: the directory shows when each joined).
            await deps.store.putMember({ orgId: input.id, userId: input.actor.userId, joinedAt: record.createdAt, ...(input.actor.email ? { email: input.actor.email } : {}) });
          },
        });
        return { id: record.id, name: record.name, seatLimit: record.seatLimit, customRoles: true, createdAt: record.createdAt, zedToken: written.zedToken };
      } catch (err) {
        if (err instanceof DomainError && err.failure.kind === "precondition_failed") {
          throw alreadyExists(`organization:${input.id} already exists`);
        }
        throw err;
      }
    },
  };
}
