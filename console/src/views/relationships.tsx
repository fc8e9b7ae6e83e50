// relationships: the raw relationship browser for admin keys — filter, page through, add
// and delete single relationships, each write confirmed first. This is SpiceDB's own data:
// it bypasses the product rules, so the confirmation says exactly what will be written.
import { useState } from "preact/hooks";
import { query, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConfirm } from "../components/confirm";
import { ErrorBox } from "../components/error-box";
import { useConsole } from "../context";

const FILTER_FIELDS = [
  ["resourceType", "Resource type", "project"],
  ["resourceId", "Resource id", "apollo"],
  ["relation", "Relation", "viewer"],
  ["subjectType", "Subject type", "user"],
  ["subjectId", "Subject id", "alice"],
] as const;
type Filter = Record<(typeof FILTER_FIELDS)[number][0], string>;
const EMPTY: Filter = { resourceType: "", resourceId: "", relation: "", subjectType: "", subjectId: "" };
const PAGE_SIZE = 25;

interface Row {
  relationship: string;
  caveat?: { name: string };
  expiresAt?: string;
}

export function RelationshipsView() {
  const con = useConsole();
  const action = useAction();
  const confirm = useConfirm();
  const [filter, setFilter] = useState<Filter>(EMPTY);
  // cursors[i] is the cursor that reads page i (page 0 has none): "Previous" walks back.
  const [page, setPage] = useState<{ rows: Row[]; next?: string; cursors: Array<string | undefined>; index: number }>();
  const [error, setError] = useState<unknown>();

  const load = async (cursors: Array<string | undefined>, index: number) => {
    setError(undefined);
    try {
      const answer: Json = await con.api("GET", `/v1/relationships${query({ ...filter, limit: PAGE_SIZE, cursor: cursors[index] })}`);
      setPage({ rows: answer.relationships, next: answer.cursor, cursors, index });
    } catch (err) {
      setError(err);
    }
  };
  const search = (e: Event) => {
    e.preventDefault();
    void load([undefined], 0);
  };
  const remove = async (row: Row) => {
    if (!(await confirm.ask(`Delete relationship ${row.relationship}? Product rules are not checked here.`, "Delete relationship"))) return;
    if (await action.run(async () => `Deleted ${row.relationship}${tokenNote(await con.api("POST", "/v1/relationships", { updates: [{ operation: "delete", relationship: row.relationship }] }))}`) && page)
      void load(page.cursors, page.index);
  };
  const add = async (relationship: string, operation: string, expiresAt?: string) => {
    if (!(await confirm.ask(`Write (${operation}) relationship ${relationship}${expiresAt ? `, expiring ${expiresAt}` : ""}? Product rules are not checked here.`, "Write relationship"))) return false;
    const ok = await action.run(async () => `Wrote ${relationship}${tokenNote(await con.api("POST", "/v1/relationships", { updates: [{ operation, relationship, ...(expiresAt ? { expiresAt } : {}) }] }))}`);
    if (ok && page) void load(page.cursors, page.index);
    return ok;
  };

  return (
    <section>
      <h1 tabIndex={-1}>Relationships</h1>
      <form onSubmit={search} class="inline-form" aria-label="Relationship filter">
        {FILTER_FIELDS.map(([field, title, example]) => (
          <label key={field}>
            {title}
            <input name={`filter-${field}`} placeholder={example} value={filter[field]} onInput={(e) => setFilter({ ...filter, [field]: e.currentTarget.value.trim() })} />
          </label>
        ))}
        <button type="submit">Search</button>
      </form>
      {error !== undefined && <ErrorBox error={error} />}
      <Outcome of={action} />
      {page && (
        <>
          <table>
            <caption>
              Page {page.index + 1}: {page.rows.length} relationships
            </caption>
            <thead>
              <tr>
                <th scope="col">Relationship</th>
                <th scope="col">Caveat</th>
                <th scope="col">Expires</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r) => (
                <tr key={r.relationship}>
                  <th scope="row">
                    <code>{r.relationship}</code>
                  </th>
                  <td>{r.caveat?.name ?? ""}</td>
                  <td>{r.expiresAt ? new Date(r.expiresAt).toLocaleString() : ""}</td>
                  <td>
                    <button type="button" class="danger small" disabled={action.busy} onClick={() => remove(r)} aria-label={`Delete ${r.relationship}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="row">
            <button type="button" disabled={page.index === 0} onClick={() => load(page.cursors, page.index - 1)}>
              Previous page
            </button>
            <button type="button" disabled={!page.next} onClick={() => load([...page.cursors.slice(0, page.index + 1), page.next], page.index + 1)}>
              Next page
            </button>
          </div>
        </>
      )}
      <AddRelationship busy={action.busy} onAdd={add} />
      {confirm.element}
    </section>
  );
}

function AddRelationship({ busy, onAdd }: { busy: boolean; onAdd: (relationship: string, operation: string, expiresAt?: string) => Promise<boolean> }) {
  const [relationship, setRelationship] = useState("");
  const [operation, setOperation] = useState("touch");
  const [expires, setExpires] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await onAdd(relationship.trim(), operation, expires ? new Date(expires).toISOString() : undefined)) setRelationship("");
  };
  return (
    <form onSubmit={submit} class="card" aria-labelledby="add-relationship">
      <h2 id="add-relationship">Add a relationship</h2>
      <label>
        Relationship (resource#relation@subject)
        <input name="relationship" required placeholder="project:apollo#viewer@user:bob" value={relationship} onInput={(e) => setRelationship(e.currentTarget.value)} />
      </label>
      <label>
        Operation
        <select name="operation" value={operation} onChange={(e) => setOperation(e.currentTarget.value)}>
          <option value="touch">touch (create or keep)</option>
          <option value="create">create (fail if it exists)</option>
        </select>
      </label>
      <label>
        Expires (optional)
        <input name="relExpires" type="datetime-local" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Add relationship
      </button>
    </form>
  );
}
