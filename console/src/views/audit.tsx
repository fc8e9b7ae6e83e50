// audit: who changed what, when, with which token (admin keys) — filtered by actor, object
// and time, a page at a time.
import { useState } from "preact/hooks";
import { query, type Json } from "../api";
import { PagedFooter, usePaged } from "../components/paged";
import { useConsole } from "../context";

interface Filters {
  actor: string;
  object: string;
  since: string;
  until: string;
}

const EMPTY: Filters = { actor: "", object: "", since: "", until: "" };
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditView() {
  const con = useConsole();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const list = usePaged<Json>(async (cursor) => {
    const q = query({ actor: filters.actor.trim(), object: filters.object.trim(), since: iso(filters.since), until: iso(filters.until), limit: 50, cursor });
    const page: Json = await con.api("GET", `/v1/audit${q}`);
    return { items: page.entries, cursor: page.cursor };
  }, [JSON.stringify(filters)]);

  const submit = (e: Event) => {
    e.preventDefault();
    setFilters(draft);
  };
  return (
    <section>
      <h1 tabIndex={-1}>Audit log</h1>
      <form onSubmit={submit} class="inline-form" aria-label="Audit filters">
        <label>
          Actor
          <input name="auditActor" placeholder="user:alice or key:ci" value={draft.actor} onInput={(e) => setDraft({ ...draft, actor: e.currentTarget.value })} />
        </label>
        <label>
          Object
          <input name="auditObject" placeholder="project:apollo" value={draft.object} onInput={(e) => setDraft({ ...draft, object: e.currentTarget.value })} />
        </label>
        <label>
          Since
          <input name="auditSince" type="datetime-local" value={draft.since} onInput={(e) => setDraft({ ...draft, since: e.currentTarget.value })} />
        </label>
        <label>
          Until
          <input name="auditUntil" type="datetime-local" value={draft.until} onInput={(e) => setDraft({ ...draft, until: e.currentTarget.value })} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Changes</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((entry, i) => (
            <AuditRow key={entry.id ?? i} entry={entry} />
          ))}
        </tbody>
      </table>
      <PagedFooter list={list} noun="audit entries" />
    </section>
  );
}

function AuditRow({ entry }: { entry: Json }) {
  const changes: Json[] = entry.changes ?? [];
  return (
    <tr>
      <td>
        {new Date(entry.at).toLocaleString()}
        {entry.status === "unconfirmed" ? <span class="kind"> (unconfirmed: the write may not have happened)</span> : null}
      </td>
      <td>
        {entry.actor}
        {entry.principal && entry.principal !== entry.actor ? <span class="kind"> via {entry.principal}</span> : null}
      </td>
      <td>{entry.action ?? ""}</td>
      <td>
        <code>{entry.target ?? entry.object ?? ""}</code>
      </td>
      <td>
        {changes.length ? (
          <details>
            <summary>
              {changes.length} change{changes.length === 1 ? "" : "s"}
              {entry.zedToken ? `, zedToken ${String(entry.zedToken).slice(0, 12)}…` : ""}
            </summary>
            <ul class="plain">
              {changes.map((c, i) => (
                <li key={i}>
                  <code>
                    {c.operation} {c.relationship}
                  </code>
                </li>
              ))}
            </ul>
          </details>
        ) : (
          "—"
        )}
        {entry.detail ? <p class="meta">{Object.entries(entry.detail as Record<string, unknown>).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(" · ")}</p> : null}
      </td>
    </tr>
  );
}
