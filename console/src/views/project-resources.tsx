// project-resources: registering a resource in the project, and the project's resources
// (read from raw relationships, so listed for admin keys; anyone may open one by id).
import { useState } from "preact/hooks";
import { path, query, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { PagedFooter, usePaged } from "../components/paged";
import { useConsole } from "../context";
import { idOf } from "../lookup";
import { href, navigate } from "../router";

export function ProjectResources({ project }: { project: string }) {
  const con = useConsole();
  const action = useAction();
  const [id, setId] = useState("");
  const register = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const answer = await con.api("PUT", path`/v1/resources/${idOf(id, "resource")}`, { project });
      navigate("resources", answer.id);
      return `Resource ${answer.id} ${answer.created ? "registered" : "already registered"} in ${project}${tokenNote(answer)}`;
    });
  };
  const open = (e: Event) => {
    e.preventDefault();
    navigate("resources", idOf(id, "resource"));
  };
  return (
    <div class="columns">
      <div>
        <h2>Resources</h2>
        {con.session.admin ? <ResourceList project={project} /> : <p class="note">Listing a project's resources reads raw relationships, which needs an admin key. Open a resource by its id instead.</p>}
      </div>
      <form onSubmit={register} aria-labelledby="register-resource">
        <h2 id="register-resource">Register or open a resource</h2>
        <label>
          Resource id
          <input name="resource" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </label>
        <div class="row">
          <button type="submit" disabled={action.busy}>
            Register in {project}
          </button>
          <button type="button" onClick={open} disabled={!id.trim()}>
            Open
          </button>
        </div>
        <Outcome of={action} />
      </form>
    </div>
  );
}

function ResourceList({ project }: { project: string }) {
  const con = useConsole();
  const list = usePaged<string>(async (cursor) => {
    const page: Json = await con.api("GET", `/v1/relationships${query({ resourceType: "resource", relation: "project", subjectType: "project", subjectId: project, limit: 100, cursor })}`);
    return { items: (page.relationships as Array<{ relationship: string }>).map((r) => /^resource:([^#]+)#/.exec(r.relationship)![1]!), cursor: page.cursor };
  }, [project]);
  return (
    <>
      <ul class="links">
        {list.items.map((r) => (
          <li key={r}>
            <a href={href("resources", r)}>{r}</a>
          </li>
        ))}
      </ul>
      <PagedFooter list={list} noun="resources" />
    </>
  );
}
