// org-invite: "Invite members" (rule 14) — a dialog that sets, before anything is sent, the
// invitees, their organization role and scopes, and their access to the organization's projects
// with per-project scopes; accepting grants all of it at once. It says how many seats are free
// first (rule 9: members and pending invitations hold seats).
import { useState } from "preact/hooks";
import { path, type Json } from "../api";
import { tokenNote, useAction, type Action } from "../components/action";
import { ErrorBox } from "../components/error-box";
import { useModal } from "../components/modal";
import { ProjectAccessEditor, accessBody } from "../components/project-access-editor";
import { ScopesEditor } from "../components/scopes-editor";
import { useConsole } from "../context";
import { DEFAULT_SCOPES, ORG_ROLES, type ProjectAccess, type Scopes } from "../model";
import { placeProblem } from "../field-problem";
import type { OrgChoices } from "../org-choices";

export interface Seats {
  limit: number | null;
  members: number;
  pending: number;
  available: number | null;
}

/**
 * OrgInvite is the "Invite members…" button and its dialog. A refusal of the whole request stays
 * in the dialog with what was typed; once sent, the dialog closes and `action` (the page's) says
 * how it went, and onInvited gets the outcome per invitee.
 */
export function OrgInvite({ org, seats, choices, action, onInvited }: { org: string; seats?: Seats; choices: OrgChoices; action: Action; onInvited: (results: Json[]) => void }) {
  const modal = useModal();
  const done = (message: string, results: Json[]) => {
    modal.close();
    void action.run(async () => message);
    onInvited(results);
  };
  return (
    <>
      <button type="button" onClick={modal.show} disabled={action.busy}>
        Invite members…
      </button>
      {modal.element(<InviteForm org={org} seats={seats} choices={choices} onDone={done} onCancel={modal.close} />, "Invite members")}
    </>
  );
}

function InviteForm(props: { org: string; seats?: Seats; choices: OrgChoices; onDone: (message: string, results: Json[]) => void; onCancel: () => void }) {
  const con = useConsole();
  const action = useAction();
  const { seats } = props;
  const [invitees, setInvitees] = useState("");
  const [role, setRole] = useState("member");
  const [scopes, setScopes] = useState<Scopes>(DEFAULT_SCOPES);
  const [projects, setProjects] = useState<ProjectAccess[]>([]);
  const list = invitees.split(/[\s,;]+/).filter(Boolean);
  const tooMany = seats?.available !== null && seats?.available !== undefined && list.length > seats.available;
  // A refusal of the whole request is shown next to the field it is about, else at the foot.
  const place = action.error === undefined ? undefined : placeProblem(action.error, projects);
  const problemAt = (field: "role" | "scopes" | "invitees") => (place?.field === field ? <ErrorBox error={action.error} /> : null);

  const submit = async (e: Event) => {
    e.preventDefault();
    let results: Json[] = [];
    let message = "";
    const ok = await action.run(async () => {
      const body = { invitees: list, role, ...(role === "member" ? { scopes } : {}), ...(projects.length ? { projects: accessBody(projects) } : {}) };
      const answer: Json = await con.api("POST", path`/v1/orgs/${props.org}/invitations`, body);
      results = answer.results ?? [];
      const failed = results.filter((r) => r.error).length;
      message = `${results.length - failed} invited, ${failed} refused${projects.length ? `, with access to ${projects.length} project${projects.length > 1 ? "s" : ""}` : ""}${tokenNote(answer)}`;
    });
    if (ok) props.onDone(message, results);
  };

  return (
    <form onSubmit={submit} aria-labelledby="invite-members">
      <h2 id="invite-members">Invite members</h2>
      {seats && (
        <p class={`seats${tooMany ? " full" : ""}`} data-testid="invite-seats">
          {seats.available === null ? "No seat limit." : `${seats.available} of ${seats.limit} seats available.`}
          {tooMany ? ` ${list.length} invitees is more than that: the extra invitations will be refused.` : ""}
        </p>
      )}
      <label>
        Invitees: user ids or e-mail addresses, separated by commas or new lines
        <textarea name="invitees" required rows={2} aria-invalid={place?.field === "invitees" || undefined} value={invitees} onInput={(e) => setInvitees(e.currentTarget.value)} />
      </label>
      {problemAt("invitees")}
      <label>
        Role
        <select name="inviteRole" aria-invalid={place?.field === "role" || undefined} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {ORG_ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      {problemAt("role")}
      <h3>Organization scopes</h3>
      <p class="note">{role === "member" ? "What members may do in the organization's settings." : "Admins and owners bypass scopes."}</p>
      <ScopesEditor value={scopes} onChange={setScopes} disabled={role !== "member"} owner="the invitees" />
      {problemAt("scopes")}
      <h3>Project access</h3>
      <p class="note">Accepting the invitation grants these too, all at once. A scope left "as the role" follows the project role.</p>
      <ProjectAccessEditor
        value={projects}
        onChange={setProjects}
        projects={props.choices.projects}
        roles={props.choices.roles}
        features={props.choices.features}
        owner="the invitees"
        problem={{ place, error: action.error }}
      />
      {action.error !== undefined && place === undefined && <ErrorBox error={action.error} />}
      <div class="row">
        <button type="submit" disabled={action.busy}>
          Send invitations
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
