// project-access-editor: the "project access" part of the invite and edit-permissions dialogs
// (rule 14) — a list of projects, each with a role and per-project scopes: the settings scopes
// and the organization's feature keys, each none / view / full, or left to follow the role.
import type { ProblemPlace } from "../field-problem";
import { PROJECT_ROLES, SCOPE_LEVELS, SETTINGS_SCOPES, type ProjectAccess, type ProjectScopes } from "../model";
import { ErrorBox } from "./error-box";

export interface ProjectAccessEditorProps {
  value: ProjectAccess[];
  onChange(value: ProjectAccess[]): void;
  /** Suggested project ids (any id may be typed). */
  projects: string[];
  /** The organization's custom role ids. */
  roles: string[];
  /** The organization's feature keys. */
  features: string[];
  /** Whose access this is, for the labels ("the invitees", "user:mia"). */
  owner: string;
  /** A refusal that belongs to one of the rows, shown there (see field-problem). */
  problem?: { place: ProblemPlace | undefined; error: unknown };
}

export function ProjectAccessEditor(props: ProjectAccessEditorProps) {
  const { value, onChange } = props;
  const roleChoices = [...PROJECT_ROLES, ...props.roles.map((r) => `role:${r}`)];
  const scopes = [...SETTINGS_SCOPES, ...props.features];
  const update = (i: number, change: Partial<ProjectAccess>) => onChange(value.map((row, j) => (j === i ? { ...row, ...change } : row)));
  const setScope = (i: number, scope: string, level: string) => {
    const next: ProjectScopes = { ...value[i]!.scopes };
    if (level) next[scope] = level as ProjectScopes[string];
    else delete next[scope];
    update(i, { scopes: next });
  };
  const listId = `projects-of-${props.owner.replace(/\W+/g, "-")}`;
  const place = props.problem?.place;
  const problemIn = (i: number, part: "project" | "role" | "scopes") => place?.field === "project" && place.row === i && place.part === part;
  const problemBox = (i: number, parts: Array<"project" | "role" | "scopes">) =>
    parts.some((part) => problemIn(i, part)) ? <ErrorBox error={props.problem!.error} /> : null;
  return (
    <div class="project-access">
      <datalist id={listId}>
        {props.projects.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      {value.length === 0 && <p class="note">No project access: {props.owner} will see only what is shared with them.</p>}
      {value.map((row, i) => (
        <fieldset key={i} class="project-row">
          <legend>Project {i + 1}</legend>
          <div class="row">
            <label>
              Project
              <input name={`accessProject${i}`} list={listId} required aria-invalid={problemIn(i, "project") || undefined} value={row.project} onInput={(e) => update(i, { project: e.currentTarget.value.trim().replace(/^project:/, "") })} />
            </label>
            <label>
              Role on the project
              <select name={`accessRole${i}`} aria-invalid={problemIn(i, "role") || undefined} value={row.role} onChange={(e) => update(i, { role: e.currentTarget.value })}>
                {(roleChoices.includes(row.role) ? roleChoices : [...roleChoices, row.role]).map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            </label>
            <button type="button" class="danger small" onClick={() => onChange(value.filter((_, j) => j !== i))} aria-label={`Remove project ${i + 1} (${row.project || "no id yet"}) from the access`}>
              Remove
            </button>
          </div>
          {problemBox(i, ["project", "role"])}
          <fieldset class="scopes">
            <legend class="visually-hidden">Per-project scopes of project {i + 1}</legend>
            {scopes.map((scope) => (
              <label key={scope} class="scope">
                <span>{scope}</span>
                <select
                  aria-label={`${scope} scope on project ${i + 1}`}
                  aria-invalid={(problemIn(i, "scopes") && place?.field === "project" && place.scope === scope) || undefined}
                  value={row.scopes?.[scope] ?? ""} onChange={(e) => setScope(i, scope, e.currentTarget.value)}>
                  <option value="">as the role</option>
                  {SCOPE_LEVELS.map((level) => (
                    <option key={level} value={level}>
                      {level}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </fieldset>
          {problemBox(i, ["scopes"])}
        </fieldset>
      ))}
      <button type="button" onClick={() => onChange([...value, { project: "", role: "editor", scopes: {} }])}>
        Add a project
      </button>
    </div>
  );
}

/** accessBody is what the API takes for `projects`: scopes only when some are set. */
export const accessBody = (rows: ProjectAccess[]) =>
  rows.map((row) => ({ project: row.project, role: row.role, ...(row.scopes && Object.keys(row.scopes).length ? { scopes: row.scopes } : {}) }));

/** describeAccess reads project access back in a line: "apollo: editor (analytics full)". */
export const describeAccess = (rows: ProjectAccess[]) =>
  rows
    .map((row) => {
      const scopes = Object.entries(row.scopes ?? {}).map(([scope, level]) => `${scope} ${level}`);
      return `${row.project}: ${row.role}${scopes.length ? ` (${scopes.join(", ")})` : ""}`;
    })
    .join("; ");
