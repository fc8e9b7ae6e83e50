// org-edit-access: "Edit permissions" of an existing member (rule 14) — their organization role
// and scopes, the projects they have access to and their per-project scopes, saved in one atomic
// call (PUT /v1/orgs/:org/members/:user/access): projects taken out of the list lose the member's
// own access there; access through the organization's groups stays.
import { useEffect, useState } from "preact/hooks";
import { path, type Json } from "../api";
import { tokenNote, useAction, type Action } from "../components/action";
import { useConfirm } from "../components/confirm";
import { ErrorBox } from "../components/error-box";
import { useModal } from "../components/modal";
import { ProjectAccessEditor, accessBody } from "../components/project-access-editor";
import { ScopesEditor } from "../components/scopes-editor";
import { useConsole } from "../context";
import { DEFAULT_SCOPES, ORG_ROLES, type ProjectAccess, type ProjectScopes, type Scopes } from "../model";
import { placeProblem } from "../field-problem";
import { readExplicitScopes, type OrgChoices } from "../org-choices";

export interface DirectoryMember {
  user: string;
  email?: string;
  role: string;
  scopes: Scopes;
  projects: Array<{ project: string; role: string }>;
  joinedAt: string | null;
}

export function EditPermissions({ org, member, choices, action, onSaved }: { org: string; member: DirectoryMember; choices: OrgChoices; action: Action; onSaved: () => void }) {
  const modal = useModal();
  const who = `user:${member.user}`;
  const done = (message: string) => {
    modal.close();
    void action.run(async () => message);
    onSaved();
  };
  return (
    <>
      <button type="button" onClick={modal.show} disabled={action.busy} aria-label={`Edit permissions of ${who}`}>
        Edit permissions
      </button>
      {modal.element(<EditForm org={org} member={member} choices={choices} onDone={done} onCancel={modal.close} />, `Edit permissions of ${who}`)}
    </>
  );
}

function EditForm(props: { org: string; member: DirectoryMember; choices: OrgChoices; onDone: (message: string) => void; onCancel: () => void }) {
  const con = useConsole();
  const action = useAction();
  const { member } = props;
  const who = `user:${member.user}`;
  const [role, setRole] = useState(member.role);
  const [scopes, setScopes] = useState<Scopes>(member.scopes ?? DEFAULT_SCOPES);
  const held = member.projects.filter((p, i) => member.projects.findIndex((x) => x.project === p.project) === i);
  const [projects, setProjects] = useState<ProjectAccess[]>(held.map((p) => ({ project: p.project, role: p.role, scopes: {} })));
  // The member's explicit per-project scopes are read from raw relationships (admin keys).
  const [scopesRead, setScopesRead] = useState<"reading" | "read" | "unreadable">(con.session.admin ? "reading" : "unreadable");
  useEffect(() => {
    if (!con.session.admin) return;
    void Promise.all(held.map(async (p) => ({ ...p, scopes: ((await readExplicitScopes(con, p.project, member.user)) ?? {}) as ProjectScopes }))).then(
      (rows) => {
        setProjects(rows);
        setScopesRead("read");
      },
      () => setScopesRead("unreadable"),
    );
  }, [member.user]);

  // Projects taken out of the list: saving ends the member's own access there (said before saving).
  const removed = held.map((p) => p.project).filter((p) => !projects.some((row) => row.project === p));
  const confirm = useConfirm();
  const place = action.error === undefined ? undefined : placeProblem(action.error, projects, removed);
  const problemAt = (field: "role" | "scopes" | "removed") => (place?.field === field ? <ErrorBox error={action.error} /> : null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (removed.length > 0) {
      const question = `Save and end ${who}'s own access to ${removed.join(", ")}? Their role, scopes and shares there go; access through the organization's groups stays.`;
      if (!(await confirm.ask(question, "Save and remove access"))) return;
    }
    let message = "";
    const ok = await action.run(async () => {
      const body = { role, ...(role === "member" ? { scopes } : {}), projects: accessBody(projects) };
      const answer: Json = await con.api("PUT", path`/v1/orgs/${props.org}/members/${member.user}/access`, body);
      const ended: string[] = answer.removedFrom ?? [];
      message = `Permissions of ${who} saved: ${answer.role}, access to ${answer.projects?.length ?? 0} project(s)${ended.length ? `; their own access ended on ${ended.join(", ")}` : ""}${tokenNote(answer)}`;
    });
    if (ok) props.onDone(message);
  };

  return (
    <form onSubmit={submit} aria-labelledby="edit-access">
      <h2 id="edit-access">Edit permissions of {who}</h2>
      <p class="note">
        {member.email ? `${member.email} · ` : ""}
        {member.joinedAt ? `joined ${new Date(member.joinedAt).toLocaleDateString()}` : "date joined not recorded"}. Everything below is saved in one write.
      </p>
      <label>
        Role
        <select name="accessOrgRole" aria-invalid={place?.field === "role" || undefined} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {ORG_ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      {problemAt("role")}
      <h3>Organization scopes</h3>
      <ScopesEditor value={scopes} onChange={setScopes} disabled={role !== "member"} owner={who} />
      {problemAt("scopes")}
      <h3>Project access</h3>
      <p class="note">Projects taken out of this list lose {who}'s own access there: role, shares and scopes. Access through the organization's groups stays.</p>
      {scopesRead === "reading" && <p aria-live="polite">Reading the current per-project scopes…</p>}
      {scopesRead === "unreadable" && (
        <p class="note">This key cannot read {who}'s current per-project scopes (they are raw relationships: an admin key can). Scopes left "as the role" are saved so, replacing any set before.</p>
      )}
      {scopesRead !== "reading" && (
        <ProjectAccessEditor
          value={projects}
          onChange={setProjects}
          projects={props.choices.projects}
          roles={props.choices.roles}
          features={props.choices.features}
          owner={who}
          problem={{ place, error: action.error }}
        />
      )}
      {removed.length > 0 && (
        <p class="warn" data-testid="access-removed">
          <strong>Warning:</strong> saving ends {who}'s own access to {removed.join(", ")}.
        </p>
      )}
      {problemAt("removed")}
      {action.error !== undefined && place === undefined && <ErrorBox error={action.error} />}
      <div class="row">
        <button type="submit" disabled={action.busy || scopesRead === "reading"}>
          Save permissions
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      {confirm.element}
    </form>
  );
}
