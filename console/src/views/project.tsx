// project: one project — its owner, then tabs for members (users and groups, built-in and
// custom roles), content (workspaces, folders and resources), pending invitations, resources,
// and who has access through what.
import { useEffect, useState } from "preact/hooks";
import { path, type Json } from "../api";
import { ErrorBox } from "../components/error-box";
import { Tabs } from "../components/tabs";
import { useConsole } from "../context";
import { href } from "../router";
import { rememberRecent } from "../session";
import { AccessList } from "./access-list";
import { InvitationsPanel } from "./invitations";
import { ProjectContent } from "./project-content";
import { ProjectMembers } from "./project-members";
import { ProjectResources } from "./project-resources";
import { PROJECT_PERMISSIONS } from "../model";

const TABS: Array<[string, string]> = [
  ["members", "Members"],
  ["content", "Content"],
  ["invitations", "Invitations"],
  ["resources", "Resources"],
  ["access", "Who has access"],
];

export function ProjectView({ project, tab }: { project: string; tab: string }) {
  const con = useConsole();
  const [info, setInfo] = useState<Json>();
  const [roles, setRoles] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    con.api("GET", path`/v1/projects/${project}`).then((p) => {
      rememberRecent("project", project);
      setInfo(p);
      const org = /^organization:(.+)$/.exec(p.owner ?? "")?.[1];
      // Custom roles exist only in organizations (rule 7); offer them in the role pickers.
      if (org) con.api("GET", `${path`/v1/orgs/${org}/roles`}?limit=1000`).then((r) => setRoles((r.roles as Array<{ id: string }>).map((x) => x.id)), () => setRoles([]));
    }, setError);
  }, [project]);

  const org = /^organization:(.+)$/.exec(info?.owner ?? "")?.[1];
  return (
    <section>
      <p class="crumbs">
        <a href={href("projects")}>Projects</a> › {project}
      </p>
      <h1 tabIndex={-1}>
        {info?.name ?? project} <small>project:{project}</small>
      </h1>
      {error !== undefined && <ErrorBox error={error} />}
      {info && (
        <p>
          Owner: {org ? <a href={href("orgs", org, "members")}>{info.owner}</a> : <code>{info.owner}</code>}
          {org ? "" : " (personal project: groups and custom roles are not available)"}
        </p>
      )}
      <Tabs base={["projects", project]} tabs={TABS} current={tab} label="Project sections" />
      <div class="panel">
        {tab === "members" && <ProjectMembers project={project} roles={roles} />}
        {tab === "content" && <ProjectContent project={project} />}
        {tab === "invitations" && <InvitationsPanel scope="projects" id={project} roles={roles} />}
        {tab === "resources" && <ProjectResources project={project} />}
        {tab === "access" && <AccessList target={`projects/${encodeURIComponent(project)}`} resource={`project:${project}`} permissions={PROJECT_PERMISSIONS} />}
      </div>
    </section>
  );
}
