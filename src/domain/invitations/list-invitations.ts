// listInvitations pages an organization's or a project's invitations, optionally by status
// (pending, accepted, declined, revoked, expired), oldest first. It needs view_members there:
// invitations are part of the member directory.
import type { Engine } from "../../engine/engine.js";
import type { InvitationState, Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { requirePermission } from "../authorize.js";
import { invalidRequest } from "../errors.js";
import { invitationView, type InvitationView } from "./invitation-view.js";
import { ref } from "../model.js";
import { requireOrganization } from "../organizations/organization-graph.js";
import { requireProject } from "../projects/project-owner.js";

const encode = (createdAt: Date, id: string) => Buffer.from(`${createdAt.getTime()}|${id}`, "utf8").toString("base64url");

function decode(cursor: string): { createdAt: Date; id: string } {
  const match = /^(\d{1,15})\|([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match || encode(new Date(Number(match[1])), match[2]!) !== cursor) throw invalidRequest("cursor is not one this listing returned", "query.cursor");
  return { createdAt: new Date(Number(match[1])), id: match[2]! };
}

export interface InvitationListInput {
  actor: Actor;
  targetType: "organization" | "project";
  targetId: string;
  status?: InvitationState;
  limit: number;
  cursor?: string;
}

export function createListInvitations(deps: { engine: Pick<Engine, "check" | "readRelationships">; store: Pick<Store, "listInvitations">; now: () => Date }) {
  return {
    async execute(input: InvitationListInput): Promise<{ invitations: InvitationView[]; cursor?: string }> {
      if (input.targetType === "organization") await requireOrganization(deps.engine, input.targetId);
      else await requireProject(deps.engine, input.targetId);
      await requirePermission(deps.engine, input.actor, ref(input.targetType, input.targetId), "view_members");
      const now = deps.now();
      const after = input.cursor === undefined ? undefined : decode(input.cursor);
      const rows = await deps.store.listInvitations({ targetType: input.targetType, targetId: input.targetId, state: input.status, now, limit: input.limit + 1, after });
      const page = rows.slice(0, input.limit);
      const last = page[page.length - 1];
      return { invitations: page.map((r) => invitationView(r, now)), ...(rows.length > input.limit && last ? { cursor: encode(last.createdAt, last.id) } : {}) };
    },
  };
}
