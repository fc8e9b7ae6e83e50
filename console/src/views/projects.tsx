// projects: the projects the actor can view, creating one, and opening one by id.
import { useState } from "preact/hooks";
import { path } from "../api";
import { useAction, Outcome } from "../components/action";
import { PagedFooter, usePaged } from "../components/paged";
import { useConsole } from "../context";
import { idOf, lookupVisible } from "../lookup";
import { href, navigate } from "../router";
import { CreateProject } from "./create-project";

export function ProjectsView() {
  const con = useConsole();
  const [fromHistory, setFromHistory] = useState(false);
  const list = usePaged(async (cursor) => {
    const page = await lookupVisible(con, "project", cursor);
    setFromHistory(page.fromHistory === true);
    return page;
  }, []);
  return (
    <section>
      <h1 tabIndex={-1}>Projects</h1>
      <div class="columns">
        <div>
          <h2>{fromHistory ? "Opened in this session" : `Projects ${con.session.actor} can view`}</h2>
          {fromHistory && <p class="note">This key has no <code>check</code> scope, so the console cannot look up your projects: it lists those you opened or created in this session.</p>}
          <ul class="links">
            {list.items.map((id) => (
              <li key={id}>
                <a href={href("projects", id, "members")}>{id}</a>
              </li>
            ))}
          </ul>
          <PagedFooter list={list} noun="projects" />
        </div>
        <div>
          <CreateProject />
          <OpenProject />
        </div>
      </div>
    </section>
  );
}

function OpenProject() {
  const con = useConsole();
  const action = useAction();
  const [id, setId] = useState("");
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const project = await con.api("GET", path`/v1/projects/${idOf(id, "project")}`);
      navigate("projects", project.id, "members");
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="open-project">
      <h2 id="open-project">Open a project</h2>
      <label>
        Project id
        <input name="openProject" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={action.busy}>
        Open
      </button>
      <Outcome of={action} />
    </form>
  );
}
