// invitation: where an invitation link lands — the signed-in actor accepts or declines it.
// Only the invitee can (matched by user id, or by the e-mail given at sign-in).
import { path } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConsole } from "../context";

export function InvitationView({ id }: { id: string }) {
  const con = useConsole();
  const action = useAction();
  const answer = (verb: "accept" | "decline") =>
    action.run(async () => {
      const result = await con.api("POST", `${path`/v1/invitations/${id}`}/${verb}`);
      return `Invitation ${verb === "accept" ? "accepted" : "declined"}${tokenNote(result)}`;
    });
  return (
    <section>
      <h1 tabIndex={-1}>Invitation</h1>
      <p>
        You are signed in as <strong>{con.session.actor}</strong>
        {con.session.email ? ` (${con.session.email})` : ""}. Only the invitee can answer invitation <code>{id}</code>.
      </p>
      <div class="row">
        <button type="button" disabled={action.busy} onClick={() => answer("accept")}>
          Accept invitation
        </button>
        <button type="button" disabled={action.busy} onClick={() => answer("decline")}>
          Decline invitation
        </button>
      </div>
      <Outcome of={action} />
    </section>
  );
}
