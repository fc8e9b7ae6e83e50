// org-projects: the organization's projects and creating one there. Which projects an
// organization owns is read from the raw relationships (admin keys); a manage key sees the
// projects it can view under Projects.
import { query, type Json } from "../api";
import { PagedFooter, usePaged } from "../components/paged";
import { useConsole } from "../context";
import { href } from "../router";
import { CreateProject } from "./create-project";

export function OrgProjects({ org }: { org: string }) {
  const con = useConsole();
  return (
    <div class="columns">
      <div>
        <h2>Projects of {org}</h2>
        {con.session.admin ? (
          <ProjectList org={org} />
        ) : (
          <p class="note">
            Listing an organization's projects reads raw relationships, which needs an admin key. <a href={href("projects")}>Projects</a> lists those you can view.
          </p>
        )}
      </div>
      <CreateProject owner={`organization:${org}`} />
    </div>
  );
}

function ProjectList({ org }: { org: string }) {
  const con = useConsole();
  const list = usePaged<string>(async (cursor) => {
    const page: Json = await con.api("GET", `/v1/relationships${query({ resourceType: "project", relation: "organization", subjectType: "organization", subjectId: org, limit: 100, cursor })}`);
    return { items: (page.relationships as Array<{ relationship: string }>).map((r) => /^project:([^#]+)#/.exec(r.relationship)![1]!), cursor: page.cursor };
  }, [org]);
  return (
    <>
      <ul class="links">
        {list.items.map((p) => (
          <li key={p}>
            <a href={href("projects", p, "members")}>{p}</a>
          </li>
        ))}
      </ul>
      <PagedFooter list={list} noun="projects" />
    </>
  );
}
