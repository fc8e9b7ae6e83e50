// project-content: a project's workspaces with their folders (nested) and resources as a tree,
// and creating a workspace (editor+; the creator becomes its editor). Each item opens its own
// page: who it is shared with, who has access, moves, pushes and deletes.
import { useState } from "preact/hooks";
import { path, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { ContentNode } from "../components/content-tree";
import { PagedFooter, reloadAfter, usePaged } from "../components/paged";
import { useConsole } from "../context";
import { idOf } from "../lookup";

interface Workspace {
  id: string;
  name?: string;
}

export function ProjectContent({ project }: { project: string }) {
  const con = useConsole();
  const action = useAction();
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const list = usePaged<Workspace>(async (cursor) => {
    const page: Json = await con.api("GET", `${path`/v1/projects/${project}/workspaces`}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    return { items: page.workspaces, cursor: page.cursor };
  }, [project]);

  const create = async (e: Event) => {
    e.preventDefault();
    const ok = await reloadAfter(action, list, async () => {
      const created = await con.api("POST", path`/v1/projects/${project}/workspaces`, { id: idOf(id, "workspace"), ...(name.trim() ? { name: name.trim() } : {}) });
      return `Workspace ${created.id} created; you are its editor${tokenNote(created)}`;
    });
    if (ok) {
      setId("");
      setName("");
    }
  };

  return (
    <div class="columns">
      <div>
        <h2>Workspaces</h2>
        <p class="note">Open a workspace or folder to see what it holds; a grant on it reaches everything below.</p>
        <ul class="tree" aria-label={`Workspaces of ${project}`}>
          {list.items.map((w) => (
            <li key={w.id}>
              <ContentNode entry={{ ref: `workspace:${w.id}`, ...(w.name ? { name: w.name } : {}) }} />
            </li>
          ))}
        </ul>
        <PagedFooter list={list} noun="workspaces you can view" />
      </div>
      <form onSubmit={create} aria-labelledby="create-workspace">
        <h2 id="create-workspace">Create a workspace</h2>
        <p class="note">Editors and above may; you become the workspace's editor.</p>
        <label>
          Workspace id
          <input name="workspace" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </label>
        <label>
          Name (optional)
          <input name="workspaceName" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Create workspace
        </button>
        <Outcome of={action} />
      </form>
    </div>
  );
}
