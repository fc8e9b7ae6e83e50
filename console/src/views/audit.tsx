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
    return { items: page.entries ?? page.audit ?? page.items ?? [], cursor: page.cursor };
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
          <input name="auditActor" placeholder="user:alice" value={draft.actor} onInput={(e) => setDraft({ ...draft, actor: e.currentTarget.value })} />
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
  const changes: Json[] = entry.changes ?? entry.updates ?? [];
  return (
    <tr>
      <td>{entry.at ?? entry.time ?? entry.createdAt ? new Date(entry.at ?? entry.time ?? entry.createdAt).toLocaleString() : ""}</td>
      <td>{entry.actor ?? ""}</td>
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
                  <code>{typeof c === "string" ? c : `${c.operation ?? ""} ${c.relationship ?? JSON.stringify(c)}`}</code>
                </li>
              ))}
            </ul>
          </details>
        ) : (
          "—"
        )}
      </td>
    </tr>
  );
}
