// org-roles: an organization's custom roles (rule 7) — each a set of project permissions as
// checkboxes — and who holds each role on which project. Changing a role's permissions
// changes every holder's access at once.
import { useEffect, useState } from "preact/hooks";
import { path, query, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConfirm } from "../components/confirm";
import { ErrorBox } from "../components/error-box";
import { PagedFooter, reloadAfter, usePaged } from "../components/paged";
import { useConsole } from "../context";
import { idOf } from "../lookup";
import { CUSTOM_ROLE_PERMISSIONS } from "../model";
import { href } from "../router";

interface Role {
  id: string;
  name: string | null;
  permissions: string[];
}

export function OrgRoles({ org }: { org: string }) {
  const con = useConsole();
  const action = useAction();
  const confirm = useConfirm();
  const list = usePaged<Role>(async (cursor) => {
    const page: Json = await con.api("GET", `${path`/v1/orgs/${org}/roles`}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    return { items: page.roles, cursor: page.cursor };
  }, [org]);

  const save = (id: string, name: string, permissions: string[]) =>
    reloadAfter(action, list, async () => `Role ${id} saved${tokenNote(await con.api("PUT", path`/v1/roles/${id}`, { name, permissions }))}`);
  const remove = async (id: string) => {
    if (!(await confirm.ask(`Delete custom role ${id}? Every holder loses it on every project.`, "Delete role"))) return;
    await reloadAfter(action, list, async () => `Role ${id} deleted${tokenNote(await con.api("DELETE", path`/v1/roles/${id}`))}`);
  };
  const create = (id: string, name: string, permissions: string[]) =>
    reloadAfter(action, list, async () => `Role ${id} created${tokenNote(await con.api("POST", path`/v1/orgs/${org}/roles`, { id, name, permissions }))}`);

  return (
    <div>
      <h2>Custom roles</h2>
      <Outcome of={action} />
      {list.items.map((r) => (
        <RoleCard key={`${r.id}:${r.name}:${r.permissions.join(",")}`} role={r} busy={action.busy} onSave={save} onDelete={remove} />
      ))}
      <PagedFooter list={list} noun="custom roles" />
      <RoleForm busy={action.busy} onCreate={create} />
      {confirm.element}
    </div>
  );
}

function PermissionBoxes({ value, onChange, owner }: { value: string[]; onChange: (p: string[]) => void; owner: string }) {
  return (
    <fieldset class="permissions">
      <legend>Permissions of {owner}</legend>
      {CUSTOM_ROLE_PERMISSIONS.map((p) => (
        <label key={p} class="check">
          <input type="checkbox" checked={value.includes(p)} onChange={(e) => onChange(e.currentTarget.checked ? [...value, p] : value.filter((x) => x !== p))} />
          {p}
        </label>
      ))}
    </fieldset>
  );
}

function RoleCard({ role, busy, onSave, onDelete }: { role: Role; busy: boolean; onSave: (id: string, name: string, p: string[]) => void; onDelete: (id: string) => void }) {
  const [name, setName] = useState(role.name ?? role.id);
  const [permissions, setPermissions] = useState(role.permissions);
  return (
    <article class="card" aria-labelledby={`role-${role.id}`}>
      <h3 id={`role-${role.id}`}>
        {role.name ?? role.id} <small>role:{role.id}</small>
      </h3>
      <label>
        Name of role {role.id}
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <PermissionBoxes value={permissions} onChange={setPermissions} owner={`role ${role.id}`} />
      <div class="row">
        <button type="button" disabled={busy} onClick={() => onSave(role.id, name, permissions)}>
          Save role {role.id}
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => onDelete(role.id)}>
          Delete role {role.id}
        </button>
      </div>
      <Holders role={role.id} />
    </article>
  );
}

function RoleForm({ busy, onCreate }: { busy: boolean; onCreate: (id: string, name: string, p: string[]) => Promise<boolean> }) {
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [permissions, setPermissions] = useState<string[]>(["view"]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!(await onCreate(idOf(id, "role"), name.trim() || idOf(id, "role"), permissions))) return;
    setId("");
    setName("");
    setPermissions(["view"]);
  };
  return (
    <form onSubmit={submit} class="card" aria-labelledby="create-role">
      <h3 id="create-role">Create a custom role</h3>
      <label>
        Role id
        <input name="role" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <label>
        Name
        <input name="roleName" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <PermissionBoxes value={permissions} onChange={setPermissions} owner="the new role" />
      <button type="submit" disabled={busy}>
        Create role
      </button>
    </form>
  );
}

/**
 * Holders reads the role's bindings (role_binding `<project>|<role>`) and their holders. Only
 * the raw relationship API lists them, so it needs an admin key; projects list holders too.
 */
function Holders({ role }: { role: string }) {
  const con = useConsole();
  const [holders, setHolders] = useState<Array<{ project: string; holder: string }>>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!con.session.admin) return;
    const read = async () => {
      const bindings: Json = await con.api("GET", `/v1/relationships${query({ resourceType: "role_binding", relation: "role", subjectType: "role", subjectId: role, limit: 1000 })}`);
      const ids = (bindings.relationships as Array<{ relationship: string }>).map((r) => /^role_binding:([^#]+)#/.exec(r.relationship)![1]!);
      const rows = await Promise.all(
        ids.map(async (id) => {
          const page: Json = await con.api("GET", `/v1/relationships${query({ resourceType: "role_binding", resourceId: id, relation: "holder", limit: 1000 })}`);
          return (page.relationships as Array<{ relationship: string }>).map((r) => ({ project: id.split("|")[0]!, holder: r.relationship.split("@")[1]!.replace(/#member$/, "") }));
        }),
      );
      setHolders(rows.flat());
    };
    read().catch(setError);
  }, [role]);
  if (!con.session.admin) return <p class="note">Holders are read from the role's bindings, which needs an admin key; each project's Members tab shows who holds role:{role} there.</p>;
  if (error !== undefined) return <ErrorBox error={error} />;
  if (!holders) return <p>Reading holders…</p>;
  if (!holders.length) return <p>Nobody holds role {role} on any project.</p>;
  return (
    <ul class="holders" aria-label={`Holders of role ${role}`}>
      {holders.map((h) => (
        <li key={`${h.project} ${h.holder}`}>
          {h.holder} on <a href={href("projects", h.project, "members")}>project {h.project}</a>
        </li>
      ))}
    </ul>
  );
}
