// projectInvitationEnd: a subject removed from a project (rule 15) keeps no open invitation to it.
// There is at most one (the store refuses a second pending invitation for one target and
// invitee); it is revoked like DELETE /v1/invitations/:id would, an acceptance in flight included.
import type { Store } from "../../store/store.js";
import { auditDraft } from "../audit/audit-context.js";
import type { MemberSubject } from "./project-subject.js";

const PAGE = 1000;

/** revokePendingProjectInvitation revokes the subject's open invitations to the project; returns how many. */
export async function revokePendingProjectInvitation(
  store: Pick<Store, "listPendingInvitationsFor" | "updateInvitation">,
  input: { projectId: string; subject: MemberSubject; at: Date; by: string },
): Promise<number> {
  const { projectId, subject, at } = input;
  const pending = await store.listPendingInvitationsFor([{ kind: subject.type, id: subject.id }], at, PAGE);
  const open = pending.filter((i) => i.targetType === "project" && i.targetId === projectId);
  let revoked = 0;
  for (const invitation of open) {
    const audit = auditDraft({ at, detail: { invitation: invitation.id }, objects: [`project:${projectId}`, `${subject.type}:${subject.id}`] });
    const change = { from: ["pending" as const, "accepting" as const], to: "revoked" as const, at, by: input.by };
    if (await store.updateInvitation(invitation.id, change, audit)) revoked++;
  }
  return revoked;
}
