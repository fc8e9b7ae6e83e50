// project-permissions: what the signed-in actor may do on a project, read in one call
// (GET /v1/projects/:project/permissions/user:<me>, which anyone may ask about themselves), so a
// view can show a control the actor cannot use as disabled, with the reason, instead of letting
// them try and fail. The server still decides every write.
import { useEffect, useState } from "preact/hooks";
import { path } from "./api";
import { useConsole } from "./context";

export type ProjectPermissions = Record<string, boolean>;

/** useMyProjectPermissions answers the actor's permissions on the project; undefined while unknown. */
export function useMyProjectPermissions(project: string | undefined, version = 0): ProjectPermissions | undefined {
  const con = useConsole();
  const [permissions, setPermissions] = useState<ProjectPermissions>();
  useEffect(() => {
    setPermissions(undefined);
    if (!project) return;
    con.api("GET", path`/v1/projects/${project}/permissions/${con.session.actor}`).then(
      (answer) => setPermissions(answer.permissions ?? {}),
      () => setPermissions({}),
    );
  }, [project, version]);
  return permissions;
}

/**
 * canPush: only project admins push content to all workspaces (rule 12). NOTE: the permissions
 * endpoint lists the project permissions of PRODUCT.md §2, without push_content; in the schema
 * push_content and manage_admins are the same set (admin_bypass: project admins and the
 * organization's admins and owners), so manage_admins answers it when push_content is absent.
 */
export const canPush = (permissions: ProjectPermissions | undefined) => permissions?.push_content ?? permissions?.manage_admins ?? false;
