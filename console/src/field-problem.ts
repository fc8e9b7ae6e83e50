// field-problem: where in an access form (invite, edit permissions) a refusal belongs, so the
// dialog shows the server's problem next to the field it is about. A 400 or 422 names its field
// (`projects.1.project`, `projects.0.scopes.billing`, `role`); a 403 does not, but says which
// project or which organization role it was about ("… on project zeus, listed in the access",
// "inviting an admin needs manage_admins"). Anything else stays at the foot of the form.
import { ApiError } from "./api";

/** ProblemPlace: the form field a problem belongs to — `role`, `scopes`, `invitees` or a project row's part. */
export type ProblemPlace =
  | { field: "role" | "scopes" | "invitees" | "removed" }
  | { field: "project"; row: number; part: "project" | "role" | "scopes"; scope?: string };

/**
 * placeProblem finds where `error` belongs among the form's fields (`rows`: its project access;
 * `removed`: projects whose access the form would end); undefined: at the foot.
 */
export function placeProblem(error: unknown, rows: Array<{ project: string }>, removed: string[] = []): ProblemPlace | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.field) {
    const row = /^projects\.(\d+)(?:\.(project|role|scopes)(?:\.(.+))?)?$/.exec(error.field);
    if (row) {
      const index = Number(row[1]);
      if (index >= rows.length) return undefined;
      const part = (row[2] ?? "project") as "project" | "role" | "scopes";
      return { field: "project", row: index, part, ...(row[3] ? { scope: row[3] } : {}) };
    }
    const top = /^(role|scopes|invitees)(?:\.|$)/.exec(error.field);
    return top ? { field: top[1] as "role" | "scopes" | "invitees" } : undefined;
  }
  if (error.status !== 403) return undefined;
  // A project named in the detail: the role asked there is what the sender may not grant.
  for (const m of error.detail.matchAll(/\bproject[: ]([A-Za-z0-9_.:|-]+?)(?=[,)\s]|$)/g)) {
    const index = rows.findIndex((r) => r.project === m[1]);
    if (index >= 0) return { field: "project", row: index, part: "role" };
    // Edit permissions: a project left out, where the member's access would end.
    if (removed.includes(m[1]!)) return { field: "removed" };
  }
  if (/inviting an (admin|owner)|granting, changing or removing an (admin|owner)|lacks manage_(admins|owners) on organization/.test(error.detail)) return { field: "role" };
  if (/cannot grant \w+=/.test(error.detail)) return { field: "scopes" };
  return undefined;
}
