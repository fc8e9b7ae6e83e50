// shareResource grants a user or group viewer or editor on one resource (a direct grant: with
// workspace and folder grants above it, the only way a project guest sees anything). Needs
// resource `manage_access`: the project's manage_members (managers and up, as before rule 12),
// or an editor grant on the resource or a folder or workspace above it held by a project
// editor+. Rules 4 and 5 apply as for project roles. One grant per subject: the other role goes
// in the same write, and so does the end of a removed user's exclusion (rule 15).
// On a personal project only an owner on the scale plan shares (rule 17).
import type { Actor } from "../actor.js";
import type { MemberSubject } from "../projects/project-subject.js";
import { shareContentItem, type ShareDeps } from "./share-content.js";

export function createShareResource(deps: ShareDeps) {
  return {
    async execute(input: { actor: Actor; resourceId: string; subject: MemberSubject; role: string; expiresAt?: Date }) {
      const { resourceId, ...rest } = input;
      const shared = await shareContentItem(deps, { ...rest, item: { type: "resource", id: resourceId } }, "manage_access");
      return { resource: resourceId, ...shared };
    },
  };
}
