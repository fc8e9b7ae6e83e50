// scopes-editor: a member's per-area scope (none / view / full) as one labelled select per
// area. Admins and owners bypass scopes, so the editor is disabled for them.
import { ORG_AREAS, SCOPE_LEVELS, type Scopes } from "../model";

export function ScopesEditor({ value, onChange, disabled, owner }: { value: Scopes; onChange: (s: Scopes) => void; disabled?: boolean; owner: string }) {
  return (
    <fieldset class="scopes" disabled={disabled}>
      <legend class="visually-hidden">Scopes of {owner}</legend>
      {ORG_AREAS.map((area) => (
        <label key={area} class="scope">
          <span>{area}</span>
          <select aria-label={`${area} scope of ${owner}`} value={value[area] ?? "none"} onChange={(e) => onChange({ ...value, [area]: e.currentTarget.value as Scopes[typeof area] })}>
            {SCOPE_LEVELS.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        </label>
      ))}
    </fieldset>
  );
}
