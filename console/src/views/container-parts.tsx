// container-parts: the pieces of a workspace or folder page — its contents with push controls,
// its own grants, and the forms that create a folder, place a resource, and move or rename.
import { useState } from "preact/hooks";
import { path } from "../api";
import { tokenNote } from "../components/action";
import { ContentLabel, splitRef, type ContentEntry } from "../components/content-tree";
import { PagedFooter, type Paged } from "../components/paged";
import { useConsole } from "../context";
import { idOf } from "../lookup";

type Run = (work: () => Promise<string>) => Promise<boolean>;

/** ContentsTable lists a container's direct children; admins push or take back each one. */
export function ContentsTable(props: { list: Paged<ContentEntry>; pushed: Set<string>; canPush: boolean; busy: boolean; onPush: (ref: string, on: boolean) => void }) {
  const { list, pushed } = props;
  return (
    <>
      <table>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Pushed to all workspaces</th>
            {props.canPush && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {list.items.map((entry) => (
            <tr key={entry.ref} data-item={entry.ref}>
              <th scope="row">
                <ContentLabel entry={entry} />
              </th>
              <td>{pushed.has(entry.ref) ? "yes" : "no"}</td>
              {props.canPush && (
                <td class="actions">
                  <button type="button" class="small" disabled={props.busy} onClick={() => props.onPush(entry.ref, !pushed.has(entry.ref))} aria-label={`${pushed.has(entry.ref) ? "Take back the push of" : "Push to all workspaces:"} ${entry.ref}`}>
                    {pushed.has(entry.ref) ? "Take back the push" : "Push to all workspaces"}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <PagedFooter list={list} noun="items here" />
    </>
  );
}

/** SharesTable shows the grants made on the container itself (what reaches everything below). */
export function SharesTable({ members, busy, onUnshare }: { members: Array<{ subject: string; role: string; expiresAt?: string }>; busy: boolean; onUnshare: (subject: string) => void }) {
  if (members.length === 0) return <p>Not shared with anyone directly: access comes from the project or from above.</p>;
  return (
    <table aria-label="Shared with">
      <thead>
        <tr>
          <th scope="col">User or group</th>
          <th scope="col">Role</th>
          <th scope="col">Expires</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {members.map((m) => (
          <tr key={`${m.subject} ${m.role}`} data-share={m.subject}>
            <th scope="row">{m.subject}</th>
            <td>{m.role}</td>
            <td>{m.expiresAt ? new Date(m.expiresAt).toLocaleString() : "never"}</td>
            <td class="actions">
              <button type="button" class="danger small" disabled={busy} onClick={() => onUnshare(m.subject)} aria-label={`End the share with ${m.subject}`}>
                End share
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** CreateFolderForm makes a folder inside the container; the creator becomes its editor. */
export function CreateFolderForm({ parent, busy, run }: { parent: string; busy: boolean; run: Run }) {
  const con = useConsole();
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await run(async () => {
      const created = await con.api("POST", "/v1/folders", { id: idOf(id, "folder"), parent, ...(name.trim() ? { name: name.trim() } : {}) });
      return `Folder ${created.id} created in ${parent}; you are its editor${tokenNote(created)}`;
    });
    if (ok) {
      setId("");
      setName("");
    }
  };
  const topLevel = parent.startsWith("workspace:");
  return (
    <form onSubmit={submit} aria-labelledby="create-folder">
      <h3 id="create-folder">Create a folder here</h3>
      <p class="note">{topLevel ? "Top-level folders need manager or above." : "Sub-folders need edit on this folder."}</p>
      <label>
        Folder id
        <input name="folder" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <label>
        Folder name (optional)
        <input name="folderName" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Create folder
      </button>
    </form>
  );
}

/** PlaceResourceForm registers a resource in the container, or moves a registered one here. */
export function PlaceResourceForm({ parent, project, busy, run }: { parent: string; project: string; busy: boolean; run: Run }) {
  const con = useConsole();
  const [id, setId] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await run(async () => {
      const answer = await con.api("PUT", path`/v1/resources/${idOf(id, "resource")}`, { project, parent });
      return `Resource ${answer.id} ${answer.created ? "registered" : "moved"} in ${parent}${tokenNote(answer)}`;
    });
    if (ok) setId("");
  };
  return (
    <form onSubmit={submit} aria-labelledby="place-resource">
      <h3 id="place-resource">Add or move a resource here</h3>
      <p class="note">A new resource is registered in {project || "the project"}; a registered one moves here (needs edit on it).</p>
      <label>
        Resource id
        <input name="resource" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy || !project}>
        Place resource
      </button>
    </form>
  );
}

/** MoveFolderForm moves a folder under another workspace or folder of the project, or renames it. */
export function MoveFolderForm({ folder, parent, name, busy, run }: { folder: string; parent?: string; name?: string; busy: boolean; run: Run }) {
  const con = useConsole();
  const [to, setTo] = useState(parent ?? "");
  const [newName, setNewName] = useState(name ?? "");
  const submit = (e: Event) => {
    e.preventDefault();
    const changes = { ...(to.trim() && to.trim() !== parent ? { parent: to.trim() } : {}), ...(newName.trim() && newName.trim() !== name ? { name: newName.trim() } : {}) };
    void run(async () => {
      const answer = await con.api("PATCH", path`/v1/folders/${folder}`, changes);
      const [type, id] = splitRef(answer.parent);
      return `Folder ${folder}${answer.name ? ` (${answer.name})` : ""} is in ${type} ${id}${tokenNote(answer)}`;
    });
  };
  return (
    <form onSubmit={submit} class="inline-form" aria-labelledby="move-folder">
      <h2 id="move-folder">Move or rename</h2>
      <label>
        Place (workspace:sales or folder:q1)
        <input name="folderParent" required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </label>
      <label>
        New name
        <input name="folderNewName" value={newName} onInput={(e) => setNewName(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Move or rename
      </button>
    </form>
  );
}
