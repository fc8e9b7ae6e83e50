// resource: one resource's grants — shares made directly on it (viewer or editor, to users
// and groups, optionally expiring) and everyone who has access through the project.
import { useEffect, useState } from "preact/hooks";
import { path } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConfirm } from "../components/confirm";
import { ShareForm } from "../components/share-form";
import { useConsole } from "../context";
import { RESOURCE_PERMISSIONS } from "../model";
import { navigate } from "../router";
import { AccessList, type AccessEntry } from "./access-list";

export function ResourceView({ resource }: { resource: string }) {
  const con = useConsole();
  const action = useAction();
  const confirm = useConfirm();
  const [version, setVersion] = useState(0);
  const [shares, setShares] = useState<Array<{ subject: string; role: string }>>([]);
  const after = async (work: () => Promise<string>) => {
    const ok = await action.run(work);
    if (ok) setVersion((v) => v + 1);
    return ok;
  };

  // Direct shares are the viewers whose access comes through a grant on this very resource
  // (every viewer or editor share gives view), so a manage key can list them too.
  useEffect(() => {
    con.api("GET", `${path`/v1/resources/${resource}/access`}?permission=view&limit=200`).then(
      (page) => setShares(directShares(resource, page.access as AccessEntry[])),
      () => setShares([]),
    );
  }, [resource, version]);

  const unshare = async (subject: string) => {
    if (!(await confirm.ask(`End the share of resource ${resource} with ${subject}?`, "End share"))) return;
    await after(async () => `Share with ${subject} ended${tokenNote(await con.api("DELETE", path`/v1/resources/${resource}/members/${subject}`))}`);
  };
  const remove = async () => {
    if (!(await confirm.ask(`Delete resource ${resource} and every grant on it?`, "Delete resource"))) return;
    if (await action.run(async () => `Resource ${resource} deleted${tokenNote(await con.api("DELETE", path`/v1/resources/${resource}`))}`)) navigate("projects");
  };

  return (
    <section>
      <h1 tabIndex={-1}>
        Resource {resource} <small>resource:{resource}</small>
      </h1>
      <Outcome of={action} />
      <h2>Direct shares</h2>
      <ul class="plain" aria-label="Direct shares">
        {shares.map((s) => (
          <li key={s.subject}>
            {s.subject} — {s.role}{" "}
            <button type="button" class="danger small" onClick={() => unshare(s.subject)} aria-label={`End the share with ${s.subject}`}>
              End share
            </button>
          </li>
        ))}
        {shares.length === 0 && <li>No direct shares among those who can view it.</li>}
      </ul>
      <ShareForm busy={action.busy} onShare={(subject, role, expiresAt) => after(async () => `Shared with ${subject} as ${role}${tokenNote(await con.api("PUT", path`/v1/resources/${resource}/members/${subject}`, { role, ...(expiresAt ? { expiresAt } : {}) }))}`)} />
      <AccessList key={version} target={`resources/${encodeURIComponent(resource)}`} resource={`resource:${resource}`} permissions={RESOURCE_PERMISSIONS} />
      <h2>Danger zone</h2>
      <button type="button" class="danger" onClick={remove} disabled={action.busy}>
        Delete resource {resource}
      </button>
      {confirm.element}
    </section>
  );
}

function directShares(resource: string, entries: AccessEntry[]): Array<{ subject: string; role: string }> {
  const shares = entries.flatMap((e) =>
    e.via.filter((v) => v.kind === "resource_grant" && v.resource === resource).map((v) => ({ subject: v.group ? `group:${v.group}` : e.user, role: v.role ?? "" })),
  );
  return shares.filter((s, i) => shares.findIndex((x) => x.subject === s.subject) === i);
}
