// invitationInvitee reads who an invitation is for, as a bulk invite names them: `user:<id>`
// or a bare user id, an e-mail address (accepted by whoever proves that address), or
// `group:<id>` (organization projects only). One unreadable invitee fails alone.
import type { Invitee } from "../../store/store.js";
import { invalidRequest } from "../errors.js";
import type { MemberSubject } from "../projects/project-subject.js";

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const TYPED = /^(user|group):([A-Za-z0-9_-]{1,128})(#member)?$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** parseInvitee reads one entry of `invitees` (400 invalid_request naming it when unreadable). */
export function parseInvitee(raw: unknown, field: string): Invitee {
  if (typeof raw !== "string") throw invalidRequest(`${field}: must be a user id, user:<id>, group:<id> or an e-mail address`, field);
  const typed = TYPED.exec(raw);
  if (typed && !(typed[1] === "user" && typed[3])) return { kind: typed[1] as "user" | "group", id: typed[2]! };
  if (ID.test(raw)) return { kind: "user", id: raw };
  if (EMAIL.test(raw)) return { kind: "email", id: raw.toLowerCase() };
  throw invalidRequest(`${field}: ${JSON.stringify(raw.slice(0, 140))} is not a user id, user:<id>, group:<id> or an e-mail address`, field);
}

/** formatInvitee is how the API shows an invitee: `user:bob`, `group:eng` or the e-mail address. */
export const formatInvitee = (invitee: Invitee) => (invitee.kind === "email" ? invitee.id : `${invitee.kind}:${invitee.id}`);

/** inviteeObject is the object an audit entry is found by: `user:bob`, `group:eng`, `email:a@b.c`. */
export const inviteeObject = (invitee: Invitee) => `${invitee.kind}:${invitee.id}`;

/** memberSubjectOf is the project member an accepted user or group invitation grants to. */
export const memberSubjectOf = (invitee: Invitee): MemberSubject | undefined =>
  invitee.kind === "email" ? undefined : { type: invitee.kind, id: invitee.id };
