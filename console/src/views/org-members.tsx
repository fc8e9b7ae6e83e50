// org-members: an organization's member directory (rule 16) — each member's e-mail, role,
// per-area scopes, project access and the date they joined; add, change and remove (with the
// cascade of rule 6); invite with project access and edit a member's whole access in one step
// (rule 14, dialogs in org-invite and org-edit-access). Refusals (rule 3, last owner, seat
// limit) show the server's own words.
import { useState } from "preact/hooks";
import { path, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConfirm } from "../components/confirm";
import { PagedFooter, reloadAfter, usePaged } from "../components/paged";
import { ScopesEditor } from "../components/scopes-editor";
import { useConsole } from "../context";
import { idOf } from "../lookup";
import { href } from "../router";
import { DEFAULT_SCOPES, ORG_ROLES, type Scopes } from "../model";
import { useOrgChoices, type OrgChoices } from "../org-choices";
import { InviteOutcomes } from "./invitations";
import { EditPermissions, type DirectoryMember } from "./org-edit-access";
import { OrgInvite, type Seats } from "./org-invite";

type Member = DirectoryMember;

export function OrgMembers({ org, seats, onChanged }: { org: string; seats?: Seats; onChanged: () => void }) {
  const con = useConsole();
  const action = useAction();
  const confirm = useConfirm();
  const [outcomes, setOutcomes] = useState<Json[]>([]);
  const list = usePaged<Member>(async (cursor) => {
    const page: Json = await con.api("GET", `${path`/v1/orgs/${org}/members`}?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    return { items: page.members, cursor: page.cursor };
  }, [org]);
  const loaded = useOrgChoices(org);
  // Besides what the key can list, the projects the members hold roles on are offered.
  const held = list.items.flatMap((m) => (m.projects ?? []).map((p) => p.project));
  const choices: OrgChoices = { ...loaded, projects: [...new Set([...loaded.projects, ...held])].sort() };
  const accessChanged = () => {
    setOutcomes([]);
    list.reload();
    onChanged();
  };

  const save = (user: string, role: string, scopes: Scopes) =>
    reloadAfter(action, list, async () => {
      const answer = await con.api("PUT", path`/v1/orgs/${org}/members/${user}`, role === "member" ? { role, scopes } : { role });
      onChanged();
      return `user:${user} is now ${role}${tokenNote(answer)}`;
    });

  const remove = async (user: string) => {
    if (!(await confirm.ask(`Remove user:${user} from ${org}? They lose every group, project role, resource grant and pending invitation in it.`, "Remove member"))) return;
    await reloadAfter(action, list, async () => {
      const answer = await con.api("DELETE", path`/v1/orgs/${org}/members/${user}`);
      onChanged();
      return `user:${user} removed from ${org}${tokenNote(answer)}`;
    });
  };

  return (
    <div>
      <div class="row heading-row">
        <h2>Members</h2>
        <OrgInvite
          org={org}
          seats={seats}
          choices={choices}
          action={action}
          onInvited={(results) => {
            setOutcomes(results);
            onChanged();
          }}
        />
      </div>
      <Outcome of={action} />
      {outcomes.length > 0 && <InviteOutcomes results={outcomes} />}
      <table class="directory">
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            <th scope="col">Scopes (members only; admins and owners bypass them)</th>
            <th scope="col">Project access</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((m) => (
            <MemberRow
              key={`${m.user}:${m.role}:${JSON.stringify(m.scopes)}`}
              member={m}
              busy={action.busy}
              onSave={save}
              onRemove={remove}
              edit={<EditPermissions org={org} member={m} choices={choices} action={action} onSaved={accessChanged} />}
            />
          ))}
        </tbody>
      </table>
      <PagedFooter list={list} noun="members" />
      <AddMember busy={action.busy} onAdd={(user, role, scopes) => save(user, role, scopes)} />
      {confirm.element}
    </div>
  );
}

function MemberRow({
  member,
  busy,
  onSave,
  onRemove,
  edit,
}: {
  member: Member;
  busy: boolean;
  onSave: (u: string, r: string, s: Scopes) => void;
  onRemove: (u: string) => void;
  edit: preact.JSX.Element;
}) {
  const [role, setRole] = useState(member.role);
  const [scopes, setScopes] = useState<Scopes>(member.scopes ?? DEFAULT_SCOPES);
  const changed = role !== member.role || JSON.stringify(scopes) !== JSON.stringify(member.scopes);
  const projects = member.projects ?? [];
  return (
    <tr data-member={member.user}>
      <th scope="row">
        user:{member.user}
        {member.email && <div class="meta email">{member.email}</div>}
        <div class="meta">{member.joinedAt ? <>joined <time dateTime={member.joinedAt}>{new Date(member.joinedAt).toLocaleDateString()}</time></> : "joined: not recorded"}</div>
      </th>
      <td>
        <select aria-label={`Role of user:${member.user}`} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {ORG_ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </td>
      <td>
        <ScopesEditor value={scopes} onChange={setScopes} disabled={role !== "member"} owner={`user:${member.user}`} />
      </td>
      <td>
        {projects.length === 0 ? (
          <span class="meta">none of their own</span>
        ) : (
          <ul class="plain" aria-label={`Project access of user:${member.user}`}>
            {projects.map((p) => (
              <li key={`${p.project}:${p.role}`}>
                <a href={href("projects", p.project, "members")}>{p.project}</a>: {p.role}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td class="actions">
        <button type="button" disabled={busy || !changed} onClick={() => onSave(member.user, role, scopes)}>
          Save
        </button>
        {edit}
        <button type="button" class="danger" disabled={busy} onClick={() => onRemove(member.user)}>
          Remove
        </button>
      </td>
    </tr>
  );
}

function AddMember({ busy, onAdd }: { busy: boolean; onAdd: (user: string, role: string, scopes: Scopes) => Promise<boolean> }) {
  const [user, setUser] = useState("");
  const [role, setRole] = useState("member");
  const [scopes, setScopes] = useState<Scopes>(DEFAULT_SCOPES);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await onAdd(idOf(user, "user"), role, scopes)) setUser("");
  };
  return (
    <form onSubmit={submit} aria-labelledby="add-member" class="inline-form">
      <h3 id="add-member">Add a member</h3>
      <label>
        User id
        <input name="user" required placeholder="alice" value={user} onInput={(e) => setUser(e.currentTarget.value)} />
      </label>
      <label>
        Role
        <select name="role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {ORG_ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <ScopesEditor value={scopes} onChange={setScopes} disabled={role !== "member"} owner="the new member" />
      <button type="submit" disabled={busy}>
        Add member
      </button>
    </form>
  );
}
