// project-members: who holds which role on a project — users and groups, built-in and custom
// roles — with add, change and remove. A manager's attempt to touch an admin is refused by
// the server (rule 3) and shown as such.
import { useState } from "preact/hooks";
import { path, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConfirm } from "../components/confirm";
import { PagedFooter, reloadAfter, usePaged } from "../components/paged";
import { useConsole } from "../context";
import { subjectOf } from "../lookup";
import { PROJECT_ROLES } from "../model";
import { href } from "../router";

interface Member {
  subject: string;
  role: string;
  expiresAt?: string;
}

export function ProjectMembers({ project, roles }: { project: string; roles: string[] }) {
  const con = useConsole();
  const action = useAction();
  const confirm = useConfirm();
  const choices = [...PROJECT_ROLES, ...roles.map((r) => `role:${r}`)];
  const list = usePaged<Member>(async (cursor) => {
    const page: Json = await con.api("GET", `${path`/v1/projects/${project}/members`}?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    return { items: page.members, cursor: page.cursor };
  }, [project]);

  const grant = (subject: string, role: string, expiresAt?: string) =>
    reloadAfter(action, list, async () => {
      const answer = await con.api("PUT", path`/v1/projects/${project}/members/${subject}`, { role, ...(expiresAt ? { expiresAt } : {}) });
      return `${subject} is now ${role} on ${project}${tokenNote(answer)}`;
    });
  const remove = async (subject: string) => {
    if (!(await confirm.ask(`Remove ${subject} from project ${project}?`, "Remove member"))) return;
    await reloadAfter(action, list, async () => `${subject} removed from ${project}${tokenNote(await con.api("DELETE", path`/v1/projects/${project}/members/${subject}`))}`);
  };

  return (
    <div>
      <h2>Members</h2>
      <Outcome of={action} />
      <table>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            <th scope="col">Expires</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((m) => (
            <MemberRow key={`${m.subject} ${m.role}`} project={project} member={m} choices={choices} busy={action.busy} onGrant={grant} onRemove={remove} />
          ))}
        </tbody>
      </table>
      <PagedFooter list={list} noun="members" />
      <AddMember choices={choices} busy={action.busy} onAdd={grant} />
      {confirm.element}
    </div>
  );
}

function MemberRow(props: { project: string; member: Member; choices: string[]; busy: boolean; onGrant: (s: string, r: string) => void; onRemove: (s: string) => void }) {
  const { member, choices } = props;
  const [role, setRole] = useState(member.role);
  const options = choices.includes(member.role) ? choices : [...choices, member.role];
  return (
    <tr data-member={member.subject}>
      <th scope="row">{member.subject}</th>
      <td>
        <select aria-label={`Role of ${member.subject}`} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {options.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </td>
      <td>{member.expiresAt ? new Date(member.expiresAt).toLocaleString() : "never"}</td>
      <td class="actions">
        <button type="button" disabled={props.busy || role === member.role} onClick={() => props.onGrant(member.subject, role)} aria-label={`Save the role of ${member.subject}`}>
          Save
        </button>
        <button type="button" class="danger" disabled={props.busy} onClick={() => props.onRemove(member.subject)} aria-label={`Remove ${member.subject}`}>
          Remove
        </button>
        <a href={href("explain", `project:${props.project}`, "edit", member.subject.startsWith("group:") ? `${member.subject}#member` : member.subject)}>Explain</a>
      </td>
    </tr>
  );
}

function AddMember({ choices, busy, onAdd }: { choices: string[]; busy: boolean; onAdd: (s: string, r: string, expiresAt?: string) => Promise<boolean> }) {
  const [subject, setSubject] = useState("");
  const [role, setRole] = useState("viewer");
  const [expires, setExpires] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await onAdd(subjectOf(subject), role, expires ? new Date(expires).toISOString() : undefined)) setSubject("");
  };
  return (
    <form onSubmit={submit} class="inline-form" aria-labelledby="add-project-member">
      <h3 id="add-project-member">Add a member</h3>
      <label>
        User or group (user:alice, group:eng)
        <input name="subject" required value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
      </label>
      <label>
        Role
        <select name="projectRole" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {choices.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label>
        Expires (optional)
        <input name="expiresAt" type="datetime-local" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Add member
      </button>
    </form>
  );
}
