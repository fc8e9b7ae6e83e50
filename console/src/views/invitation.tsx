// invitation: the signed-in actor's own pending invitations, and where an invitation link
// lands (#/invitations/<id>) — accept or decline. Only the invitee can (matched by user id,
// or by the e-mail given at sign-in).
import { useEffect, useState } from "preact/hooks";
import { path, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { ErrorBox } from "../components/error-box";
import { describeAccess } from "../components/project-access-editor";
import { useConsole } from "../context";
import { rememberRecent } from "../session";
import type { Invitation } from "./invitations";

export function InvitationView({ id }: { id?: string }) {
  const con = useConsole();
  const action = useAction();
  const [received, setReceived] = useState<Array<Invitation & { target?: string }>>();
  const [error, setError] = useState<unknown>();
  const [version, setVersion] = useState(0);

  useEffect(() => {
    con.api("GET", "/v1/invitations").then((page: Json) => setReceived(page.invitations), setError);
  }, [version]);

  const answer = (invitation: string, verb: "accept" | "decline") =>
    action.run(async () => {
      const result = await con.api("POST", `${path`/v1/invitations/${invitation}`}/${verb}`);
      setVersion((v) => v + 1);
      // The target joins this session's list, so a key without `check` finds it at once.
      const target = /^(organization|project):(.+)$/.exec(result.invitation?.target ?? "");
      if (verb === "accept" && target) rememberRecent(target[1] as "organization" | "project", target[2]!);
      return `Invitation${target ? ` to ${target[0]}` : ""} ${verb === "accept" ? "accepted" : "declined"}${tokenNote(result)}`;
    });
  const linked = id ? received?.find((i) => i.id === id) : undefined;

  return (
    <section>
      <h1 tabIndex={-1}>{id ? "Invitation" : "My invitations"}</h1>
      <p>
        Signed in as <strong>{con.session.actor}</strong>
        {con.session.email ? ` (${con.session.email})` : ""}. Only the invitee can accept or decline an invitation.
      </p>
      <Outcome of={action} />
      {id && (
        <div class="card">
          <h2>{linked ? `Join ${linked.target} as ${linked.role}` : `Invitation ${id}`}</h2>
          {linked && <p>Invited by {linked.invitedBy}; open until {new Date(linked.expiresAt ?? "").toLocaleString()}.</p>}
          {linked?.projects?.length ? <p>Accepting also gives you project access: {describeAccess(linked.projects)}.</p> : null}
          <div class="row">
            <button type="button" disabled={action.busy} onClick={() => answer(id, "accept")}>
              Accept invitation
            </button>
            <button type="button" disabled={action.busy} onClick={() => answer(id, "decline")}>
              Decline invitation
            </button>
          </div>
        </div>
      )}
      <h2>Pending invitations for you</h2>
      {error !== undefined && <ErrorBox error={error} />}
      <ul class="plain">
        {(received ?? []).map((inv) => (
          <li key={inv.id}>
            {inv.target} as <strong>{inv.role}</strong>
            {inv.projects?.length ? ` with ${describeAccess(inv.projects)}` : ""}, from {inv.invitedBy}{" "}
            <button type="button" class="small" disabled={action.busy} onClick={() => answer(inv.id, "accept")} aria-label={`Accept the invitation to ${inv.target}`}>
              Accept
            </button>{" "}
            <button type="button" class="small" disabled={action.busy} onClick={() => answer(inv.id, "decline")} aria-label={`Decline the invitation to ${inv.target}`}>
              Decline
            </button>
          </li>
        ))}
        {received && received.length === 0 && <li>None.</li>}
      </ul>
    </section>
  );
}
