// create-project: a project owned by an organization (needs create_project there) or by the
// actor (a personal project); the actor becomes its admin (rule 1).
import { useState } from "preact/hooks";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConsole } from "../context";
import { idOf } from "../lookup";
import { navigate } from "../router";
import { recent, rememberRecent } from "../session";

export function CreateProject({ owner }: { owner?: string }) {
  const con = useConsole();
  const action = useAction();
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [ownerInput, setOwner] = useState(owner ?? con.session.actor);
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const created = await con.api("POST", "/v1/projects", { id: idOf(id, "project"), owner: ownerInput.trim(), ...(name.trim() ? { name: name.trim() } : {}) });
      rememberRecent("project", created.id);
      navigate("projects", created.id, "members");
      return `Project ${created.id} created${tokenNote(created)}`;
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="create-project">
      <h2 id="create-project">Create a project</h2>
      <label>
        Project id
        <input name="project" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <label>
        Name
        <input name="projectName" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      {owner ? (
        <p>
          Owner: <code>{owner}</code>
        </p>
      ) : (
        <label>
          Owner (organization:&lt;id&gt;, or yourself for a personal project)
          <input name="owner" required list="owners" value={ownerInput} onInput={(e) => setOwner(e.currentTarget.value)} />
          <datalist id="owners">
            <option value={con.session.actor} />
            {recent("organization").map((o) => (
              <option key={o} value={`organization:${o}`} />
            ))}
          </datalist>
        </label>
      )}
      <button type="submit" disabled={action.busy}>
        Create project
      </button>
      <Outcome of={action} />
    </form>
  );
}
