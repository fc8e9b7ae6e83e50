// unshareResource ends a subject's direct grants on a resource (what they still get through the
// project, a group or a folder or workspace above is untouched). Needs resource `manage_access`.
import type { Engine } from "../../engine/engine.js";
import type { Actor } from "../actor.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import type { MemberSubject } from "../projects/project-subject.js";
import { unshareContentItem } from "./unshare-content.js";

export function createUnshareResource(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; locks: KeyedMutex }) {
  return {
    async execute(input: { actor: Actor; resourceId: string; subject: MemberSubject }) {
      const { resourceId, ...rest } = input;
      return { resource: resourceId, ...(await unshareContentItem(deps, { ...rest, item: { type: "resource", id: resourceId } })) };
    },
  };
}
