// unshareContent ends a subject's own grants on a workspace or folder (what they still get
// through the project, a group or a container above is untouched). Needs `manage_access` there.
import type { Engine, RelationshipUpdate } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import { applyChange } from "../apply-change.js";
import { requirePermission } from "../authorize.js";
import { notFound } from "../errors.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { ref } from "../model.js";
import { formatMember, type MemberSubject } from "../projects/project-subject.js";
import { formatContent, requireContent, type ContentRef } from "./content-graph.js";
import { readContentGrants } from "./share-content.js";

/** unshareContentItem ends the subject's grants on any content object; resources use it too. */
export async function unshareContentItem(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; locks: KeyedMutex }, input: { actor: Actor; item: ContentRef; subject: MemberSubject }) {
  const { engine } = deps;
  const { item, subject } = input;
  const projectId = await requireContent(engine, item);
  await requirePermission(engine, input.actor, ref(item.type, item.id), "manage_access");
  return deps.locks.run(`project:${projectId}`, async () => {
    const current = await readContentGrants(engine, item, subject);
    if (current.length === 0) throw notFound(`${formatContent(item)} is not shared with ${formatMember(subject)}`);
    const written = await applyChange(engine, { updates: current.map((r): RelationshipUpdate => ({ operation: "delete", relationship: r })) });
    return { subject: formatMember(subject), removed: current.map((r) => r.relation), zedToken: written.zedToken };
  });
}

export function createUnshareContent(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; locks: KeyedMutex }) {
  return {
    async execute(input: { actor: Actor; item: { type: "workspace" | "folder"; id: string }; subject: MemberSubject }) {
      return { [input.item.type]: input.item.id, ...(await unshareContentItem(deps, input)) };
    },
  };
}
