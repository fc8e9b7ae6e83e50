// createProject creates a project owned by an organization or by the actor (a personal
// project); the actor becomes its admin (rule 1). The anchor relationship is written with a
// must_not_exist precondition, so two concurrent creates of one id cannot both win.
import type { Engine, Precondition, RelationshipUpdate } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { hasPermission } from "../authorize.js";
import { DomainError, alreadyExists, engineCall, forbidden, notFound, notOrgMember } from "../errors.js";
import { ref, relationship, userRef } from "../model.js";
import { formatOwner, ownerRelationship, readProjectOwner, type ProjectOwner } from "./project-owner.js";
import { requireGrantableSubject } from "./project-subject.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { orgFeatures } from "../organizations/org-features.js";
import { featureAnchor } from "./project-scopes.js";

export interface CreateProjectInput {
  actor: Actor;
  id: string;
  owner: ProjectOwner;
  name?: string;
}

const noAnchor = (projectId: string, relation: string): Precondition => ({
  operation: "must_not_exist",
  filter: { resourceType: "project", resourceId: projectId, relation },
});

export function createCreateProject(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "putObject" | "getObject">; locks: KeyedMutex }) {
  const { engine, store } = deps;

  async function requireMayCreate(actor: Actor, owner: ProjectOwner): Promise<void> {
    if (owner.kind === "user") {
      if (owner.id !== actor.userId) throw forbidden(`a personal project is owned by its creator: owner must be user:${actor.userId}`);
      return;
    }
    const org = ref("organization", owner.id);
    if (await hasPermission(engine, org, "create_project", actor.userId)) return;
    // Only now tell an unknown organization (404) from a missing right (403).
    const any = await engineCall(() => engine.readRelationships({ resourceType: "organization", resourceId: owner.id }, { limit: 1 }));
    if (any.relationships.length === 0) throw notFound(`organization ${owner.id} does not exist`);
    throw forbidden(`user:${actor.userId} lacks create_project on organization ${owner.id}`);
  }

  return {
    async execute(input: CreateProjectInput) {
      // An organization's project is created under the organization's lock, so it gets the anchor
      // of every feature key even while the keys change (PUT /v1/orgs/:org/features, rule 13).
      if (input.owner.kind === "organization") return deps.locks.run(`organization:${input.owner.id}`, () => create(input));
      return create(input);
    },
  };

  async function create(input: CreateProjectInput) {
    await requireMayCreate(input.actor, input.owner);
    // The creator becomes admin: in an organization only while still a member (rule 4), even
    // against a concurrent removal from it.
    const guard = await requireGrantableSubject(engine, input.owner, { type: "user", id: input.actor.userId }, input.id);
    const project = ref("project", input.id);
    const features = input.owner.kind === "organization" ? await orgFeatures(store, input.owner.id) : [];
    try {
      const written = await applyChange(engine, {
        updates: [
          { operation: "create", relationship: ownerRelationship(input.id, input.owner) },
          { operation: "touch", relationship: relationship(project, "admin", userRef(input.actor.userId)) },
          ...features.map((key): RelationshipUpdate => ({ operation: "touch", relationship: featureAnchor(input.id, key) })),
        ],
        preconditions: [noAnchor(input.id, "organization"), noAnchor(input.id, "owner_user"), ...guard],
        then: () => store.putObject({ kind: "project", id: input.id, name: input.name, createdAt: new Date() }),
      });
      return { id: input.id, ...(input.name !== undefined ? { name: input.name } : {}), owner: formatOwner(input.owner), zedToken: written.zedToken };
    } catch (err) {
      if (err instanceof DomainError && (err.failure.kind === "precondition_failed" || err.failure.kind === "already_exists")) {
        // Either the id was taken meanwhile, or the creator was removed from the organization.
        if (err.failure.kind === "precondition_failed" && guard.length > 0 && !(await readProjectOwner(engine, input.id))) {
          throw notOrgMember(`user:${input.actor.userId} is no longer a member of organization ${input.owner.id}`);
        }
        throw alreadyExists(`project ${input.id} already exists`);
      }
      throw err;
    }
  }
}
