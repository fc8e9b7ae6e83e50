// invitations: pending invitations of an organization or a project (rule 8) — invite one or
// many (each invitee succeeds or fails on its own), revoke, and copy the link the invitee
// opens to accept or decline.
import { useState } from "preact/hooks";
import { ApiError, path, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConfirm } from "../components/confirm";
import { ErrorBox } from "../components/error-box";
import { PagedFooter, reloadAfter, usePaged } from "../components/paged";
import { describeAccess } from "../components/project-access-editor";
import { ScopesEditor } from "../components/scopes-editor";
import { useConsole } from "../context";
import { DEFAULT_SCOPES, ORG_ROLES, PROJECT_ROLES, type ProjectAccess, type Scopes } from "../model";

export interface Invitation {
  id: string;
  invitee?: string;
  role?: string;
  expiresAt?: string;
  invitedBy?: string;
  /** An organization invitation's project access (rule 14), granted on acceptance. */
  projects?: ProjectAccess[];
}

/** inviteLink is the console address where the invitee accepts or declines. */
export const inviteLink = (id: string) => `${location.origin}/console#/invitations/${encodeURIComponent(id)}`;

export function InvitationsPanel({ scope, id, roles, onChanged }: { scope: "orgs" | "projects"; id: string; roles?: string[]; onChanged?: () => void }) {
  const con = useConsole();
  const action = useAction();
  const confirm = useConfirm();
  const [outcomes, setOutcomes] = useState<Json[]>([]);
  const list = usePaged<Invitation>(async (cursor) => {
    const page: Json = await con.api("GET", `/v1/${scope}/${encodeURIComponent(id)}/invitations?status=pending&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    return { items: page.invitations, cursor: page.cursor };
  }, [scope, id]);

  const invite = (invitees: string[], role: string, scopes?: Scopes) =>
    reloadAfter(action, list, async () => {
      const answer: Json = await con.api("POST", `/v1/${scope}/${encodeURIComponent(id)}/invitations`, { invitees, role, ...(scopes ? { scopes } : {}) });
      const results: Json[] = answer.results ?? [];
      setOutcomes(results);
      onChanged?.();
      const failed = results.filter((r) => r.error).length;
      return `${results.length - failed} invited, ${failed} refused${tokenNote(answer)}`;
    });
  const revoke = async (inv: Invitation) => {
    if (!(await confirm.ask(`Revoke the invitation of ${inv.invitee ?? inv.id}? The link stops working.`, "Revoke invitation"))) return;
    await reloadAfter(action, list, async () => {
      const answer = await con.api("DELETE", path`/v1/invitations/${inv.id}`);
      onChanged?.();
      return `Invitation of ${inv.invitee ?? inv.id} revoked${tokenNote(answer)}`;
    });
  };
  const copy = (inv: Invitation) =>
    action.run(async () => {
      const link = inviteLink(inv.id);
      try {
        await navigator.clipboard.writeText(link);
        return `Link copied: ${link}`;
      } catch {
        // NOTE: the clipboard needs a secure context or a permission; the link is shown instead.
        return `Copy this link: ${link}`;
      }
    });

  return (
    <div>
      <h2>Pending invitations</h2>
      <Outcome of={action} />
      {outcomes.length > 0 && <InviteOutcomes results={outcomes} />}
      <table>
        <thead>
          <tr>
            <th scope="col">Invitee</th>
            <th scope="col">Role</th>
            {scope === "orgs" && <th scope="col">Project access</th>}
            <th scope="col">Invited by</th>
            <th scope="col">Expires</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((inv) => (
            <tr key={inv.id} data-invitation={inv.id}>
              <th scope="row">{inv.invitee ?? "?"}</th>
              <td>{inv.role ?? ""}</td>
              {scope === "orgs" && <td>{inv.projects?.length ? describeAccess(inv.projects) : ""}</td>}
              <td>{inv.invitedBy ?? ""}</td>
              <td>{inv.expiresAt ? new Date(inv.expiresAt).toLocaleString() : ""}</td>
              <td class="actions">
                <button type="button" onClick={() => copy(inv)} aria-label={`Copy the invitation link of ${inv.invitee ?? inv.id}`}>
                  Copy link
                </button>
                <button type="button" class="danger" disabled={action.busy} onClick={() => revoke(inv)} aria-label={`Revoke the invitation of ${inv.invitee ?? inv.id}`}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <PagedFooter list={list} noun="pending invitations" />
      <InviteForm scope={scope} roles={roles} busy={action.busy} onInvite={invite} />
      {confirm.element}
    </div>
  );
}

/** InviteOutcomes: each invitee invited or refused, in the server's words. */
export function InviteOutcomes({ results }: { results: Json[] }) {
  return (
    <ul class="outcomes" aria-label="Outcome per invitee">
      {results.map((r, i) => {
        const who = r.invitation?.invitee ?? (typeof r.invitee === "string" ? r.invitee : `invitee ${i + 1}`);
        if (!r.error) return <li key={i}>{who}: invited</li>;
        const e = typeof r.error === "object" ? r.error : { detail: String(r.error) };
        const error = new ApiError({ status: e.status ?? 0, code: e.code ?? "error", title: e.title ?? "", detail: `${who}: ${e.detail ?? e.message ?? ""}` });
        return (
          <li key={i}>
            <ErrorBox error={error} />
          </li>
        );
      })}
    </ul>
  );
}

function InviteForm({ scope, roles, busy, onInvite }: { scope: "orgs" | "projects"; roles?: string[]; busy: boolean; onInvite: (invitees: string[], role: string, scopes?: Scopes) => Promise<boolean> }) {
  const roleChoices = scope === "orgs" ? [...ORG_ROLES] : [...PROJECT_ROLES, ...(roles ?? []).map((r) => `role:${r}`)];
  const [invitees, setInvitees] = useState("");
  const [role, setRole] = useState(roleChoices[scope === "orgs" ? 0 : 3]!);
  const [scopes, setScopes] = useState<Scopes>(DEFAULT_SCOPES);
  const submit = async (e: Event) => {
    e.preventDefault();
    const list = invitees.split(/[\s,;]+/).filter(Boolean);
    if (await onInvite(list, role, scope === "orgs" && role === "member" ? scopes : undefined)) setInvitees("");
  };
  return (
    <form onSubmit={submit} class="card" aria-labelledby="invite">
      <h3 id="invite">Invite</h3>
      <label>
        Invitees: user ids or e-mail addresses, separated by commas or new lines
        <textarea name="invitees" required rows={2} value={invitees} onInput={(e) => setInvitees(e.currentTarget.value)} />
      </label>
      <label>
        Role
        <select name="inviteRole" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {roleChoices.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      {scope === "orgs" && <ScopesEditor value={scopes} onChange={setScopes} disabled={role !== "member"} owner="the invitees" />}
      <button type="submit" disabled={busy}>
        Send invitations
      </button>
    </form>
  );
}
