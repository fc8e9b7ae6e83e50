// invitationInviteeCheck: only the invitee may accept or decline. A user invitation is the
// user's; an e-mail invitation is whoever proves that address (X-Actor-Email from a trusted
// caller, or a JWT's verified e-mail claim); a group invitation is answered on the group's
// behalf by someone who manages the group.
import type { Engine } from "../../engine/engine.js";
import type { InvitationRecord } from "../../store/store.js";
import type { Actor } from "../actor.js";
import { hasPermission } from "../authorize.js";
import { forbidden } from "../errors.js";
import { formatInvitee } from "./invitation-invitee.js";
import { ref } from "../model.js";
import type { MemberSubject } from "../projects/project-subject.js";

/** requireInvitee returns who the acceptance grants to, or throws 403 for anyone but the invitee. */
export async function requireInvitee(engine: Pick<Engine, "check">, actor: Actor, invitation: InvitationRecord): Promise<MemberSubject> {
  const { invitee } = invitation;
  const denied = () => forbidden(`invitation ${invitation.id} is for ${formatInvitee(invitee)}, not for user:${actor.userId}`);
  switch (invitee.kind) {
    case "user":
      if (invitee.id !== actor.userId) throw denied();
      return { type: "user", id: actor.userId };
    case "email":
      if (!actor.email || actor.email !== invitee.id) throw denied();
      return { type: "user", id: actor.userId };
    case "group":
      if (!(await hasPermission(engine, ref("group", invitee.id), "manage", actor.userId))) throw denied();
      return { type: "group", id: invitee.id };
  }
}
