// unshareResource ends a subject's direct grants on a resource (what they still get through
// the project is untouched). Needs resource `manage`.
import type { Engine, RelationshipUpdate } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { notFound } from "../errors.js";
import { ref } from "../model.js";
import { formatMember, subjectRefOf, type MemberSubject } from "../projects/project-subject.js";
import { readResourceGrants, requireResource } from "./resource-project.js";

export function createUnshareResource(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write"> }) {
  const { engine } = deps;
  return {
    async execute(input: { actor: Actor; resourceId: string; subject: MemberSubject }) {
      await requireResource(engine, input.resourceId);
      await requirePermission(engine, input.actor, ref("resource", input.resourceId), "manage");
      const current = await readResourceGrants(engine, input.resourceId, subjectRefOf(input.subject));
      if (current.length === 0) throw notFound(`resource ${input.resourceId} is not shared with ${formatMember(input.subject)}`);
      const written = await applyChange(engine, { updates: current.map((r): RelationshipUpdate => ({ operation: "delete", relationship: r })) });
      return { resource: input.resourceId, subject: formatMember(input.subject), removed: current.map((r) => r.relation), zedToken: written.zedToken };
    },
  };
}
