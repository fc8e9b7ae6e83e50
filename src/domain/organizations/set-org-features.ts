// setOrgFeatures replaces an organization's feature keys (PUT /v1/orgs/:org/features, rule 13).
// An added key gets its anchor in every project of the organization; a dropped key loses every
// relationship of its project_feature objects (anchors and scopes), so a key added again later
// starts from the role defaults. Needs manage_general (the organization's General settings).
import type { Engine, RelationshipUpdate, WriteResult } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { auditDraft } from "../audit/audit-context.js";
import { requirePermission } from "../authorize.js";
import { engineCall, invalidScope } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { readAllRelationships } from "../projects/project-grants.js";
import { featureAnchor, featureKeyProblem, featureId } from "../projects/project-scopes.js";
import { MAX_WRITE } from "./organization-cascade.js";
import { orgFeatures } from "./org-features.js";
import { idsOwnedBy, organizationRef, requireOrganization } from "./organization-graph.js";

/** MAX_FEATURES an organization may define. */
export const MAX_FEATURES = 100;

export function createSetOrgFeatures(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "getObject" | "putObject">; locks: KeyedMutex; now: () => Date }) {
  const { engine, store } = deps;
  return {
    async execute(input: { actor: Actor; orgId: string; features: string[] }): Promise<{ organization: string; features: string[]; zedToken: string }> {
      input.features.forEach((key, i) => {
        const problem = featureKeyProblem(key);
        if (problem) throw invalidScope(problem, `features.${i}`);
      });
      const features = [...new Set(input.features)];
      // Serialized per organization: project creation reads the keys under the same lock.
      return deps.locks.run(`organization:${input.orgId}`, async () => {
        const { zedToken } = await requireOrganization(engine, input.orgId);
        await requirePermission(engine, input.actor, organizationRef(input.orgId), "manage_general");
        const current = await orgFeatures(store, input.orgId);
        const added = features.filter((k) => !current.includes(k));
        const dropped = current.filter((k) => !features.includes(k));
        const projects = await idsOwnedBy(engine, "project", input.orgId);
        const doomed = await Promise.all(
          projects.flatMap((p) => dropped.map((k) => readAllRelationships(engine, { resourceType: "project_feature", resourceId: featureId(p, k) }))),
        );
        const updates: RelationshipUpdate[] = [
          ...projects.flatMap((p) => added.map((k): RelationshipUpdate => ({ operation: "touch", relationship: featureAnchor(p, k) }))),
          ...doomed.flat().map((relationship): RelationshipUpdate => ({ operation: "delete", relationship })),
        ];
        const record = (await store.getObject("organization", input.orgId)) ?? { kind: "organization" as const, id: input.orgId, createdAt: deps.now() };
        const org = `organization:${input.orgId}`;
        const save = async () => {
          const audit = auditDraft({ at: deps.now(), target: org, detail: { features }, objects: [org] });
          await store.putObject({ ...record, settings: { ...record.settings, features } }, audit);
        };
        const written = await writeThenSave(engine, updates, save);
        return { organization: input.orgId, features, zedToken: written?.zedToken ?? zedToken };
      });
    },
  };
}

/**
 * writeThenSave writes the updates and the settings as one unit of work (the write is undone if
 * the settings cannot be saved). NOTE: past 1,000 updates (many projects × keys) the write goes
 * in chunks before the settings are saved; anchors are touched and drops deleted, so a failed
 * request can simply be repeated.
 */
async function writeThenSave(engine: Pick<Engine, "write" | "readRelationships">, updates: RelationshipUpdate[], save: () => Promise<void>): Promise<WriteResult | undefined> {
  if (updates.length === 0) {
    await save();
    return undefined;
  }
  if (updates.length <= MAX_WRITE) return applyChange(engine, { updates, then: save });
  let written: WriteResult | undefined;
  for (let i = 0; i < updates.length; i += MAX_WRITE) {
    const chunk = updates.slice(i, i + MAX_WRITE);
    written = await engineCall(() => engine.write(chunk), "body");
  }
  await save();
  return written;
}
