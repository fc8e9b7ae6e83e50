// container: one workspace or folder (rule 12) — where it lives, what it holds, who it is shared
// with (a grant reaches everything below), who has access and through what; creating folders and
// placing resources in it, moving and renaming a folder, pushing to all workspaces (project
// admins only) and deleting it with everything below.
import { useState } from "preact/hooks";
import { path, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConfirm } from "../components/confirm";
import { contentHref, splitRef, type ContentEntry } from "../components/content-tree";
import { ErrorBox } from "../components/error-box";
import { usePaged } from "../components/paged";
import { ShareForm } from "../components/share-form";
import { useConsole } from "../context";
import { CONTAINER_PERMISSIONS } from "../model";
import { canPush, useMyProjectPermissions } from "../project-permissions";
import { href, navigate } from "../router";
import { AccessList } from "./access-list";
import { ContentsTable, CreateFolderForm, MoveFolderForm, PlaceResourceForm, SharesTable } from "./container-parts";

export type ContainerType = "workspace" | "folder";

const apiPath = (ref: string) => {
  const [type, id] = splitRef(ref);
  return type === "workspace" ? path`/v1/workspaces/${id}` : type === "folder" ? path`/v1/folders/${id}` : path`/v1/resources/${id}`;
};

export function ContainerView({ type, id }: { type: ContainerType; id: string }) {
  const con = useConsole();
  const action = useAction();
  const confirm = useConfirm();
  const self = `${type}:${id}`;
  const [info, setInfo] = useState<Json>();
  const [pushed, setPushed] = useState<ContentEntry[]>([]);
  // version changes after every write, so the page, its contents and the access list reload;
  // loaded is the version whose reads have all answered.
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState(-1);
  const permissions = useMyProjectPermissions(info?.project);
  const admin = canPush(permissions);

  // One read gives the container and the first page of its children; "Load more" reads the next.
  const children = usePaged<ContentEntry>(async (cursor) => {
    const answer: Json = await con.api("GET", `${apiPath(self)}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (!cursor) {
      setInfo(answer);
      // What is pushed to all workspaces is listed by any workspace of the project: this one, or
      // the one this folder lives in (a guest who cannot view it simply sees no push marks).
      const workspace = type === "workspace" ? undefined : (answer.path as string[] | undefined)?.[0];
      setPushed(workspace ? await con.api("GET", `${apiPath(workspace)}?limit=1`).then((w) => w.pushedContent ?? [], () => []) : (answer.pushedContent ?? []));
      setLoaded(version);
    }
    return { items: answer.children, cursor: answer.cursor };
  }, [self, version]);
  const error = children.error;

  const after = async (work: () => Promise<string>) => {
    const ok = await action.run(work);
    if (ok) setVersion((v) => v + 1);
    return ok;
  };
  const push = (ref: string, on: boolean) =>
    after(async () => {
      const answer = await con.api(on ? "POST" : "DELETE", `${apiPath(ref)}/push`);
      return `${ref} ${on ? "pushed to all workspaces" : "no longer pushed to all workspaces"}${tokenNote(answer)}`;
    });
  const unshare = async (subject: string) => {
    if (!(await confirm.ask(`End the grants of ${subject} on ${type} ${id}? What reached them through it, below too, ends with them.`, "End share"))) return;
    await after(async () => `Share with ${subject} ended${tokenNote(await con.api("DELETE", `${apiPath(self)}/members/${encodeURIComponent(subject)}`))}`);
  };
  const remove = async () => {
    const question = `Delete ${type} ${info?.name ?? id}? Everything below it goes too: every folder and resource inside it, at any depth, with every share on them. This cannot be undone.`;
    if (!(await confirm.ask(question, `Delete ${type}`))) return;
    const ok = await action.run(async () => {
      const answer = await con.api("DELETE", apiPath(self));
      return `${type} ${id} deleted with ${answer.folders} folders and ${answer.resources} resources below it${tokenNote(answer)}`;
    });
    if (!ok) return;
    if (info?.parent) {
      const [parentType, parentId] = splitRef(info.parent);
      navigate(`${parentType}s`, parentId);
    } else navigate("projects", info?.project ?? "", "content");
  };

  if (error !== undefined && !info) {
    return (
      <section>
        <h1 tabIndex={-1}>
          {type === "workspace" ? "Workspace" : "Folder"} {id}
        </h1>
        <ErrorBox error={error} />
      </section>
    );
  }
  const project: string = info?.project ?? "";
  const allowed = CONTAINER_PERMISSIONS.filter((p) => info?.permissions?.[p]);
  const pushedRefs = new Set(pushed.map((p) => p.ref));
  return (
    <section>
      <p class="crumbs">
        <a href={href("projects")}>Projects</a> › <a href={href("projects", project, "content")}>{project}</a>
        {((info?.path as string[] | undefined) ?? []).map((ref) => (
          <span key={ref}>
            {" › "}
            <a href={contentHref(ref)}>{splitRef(ref)[1]}</a>
          </span>
        ))}{" "}
        › {id}
      </p>
      <h1 tabIndex={-1}>
        {info?.name ?? id} <small>{self}</small>
      </h1>
      <Outcome of={action} />
      {info && (
        <p class="meta" data-testid="my-permissions">
          You ({con.session.actor}) may here: {allowed.length ? allowed.join(", ") : "nothing"}
          {type === "folder" && info.pushed ? " · this folder is pushed to all workspaces" : ""}
        </p>
      )}

      <h2>Contents</h2>
      <ContentsTable list={children} pushed={pushedRefs} canPush={admin} busy={action.busy} onPush={push} />
      {type === "workspace" && pushed.length > 0 && (
        <>
          <h3>Pushed to all workspaces</h3>
          <ul class="plain" aria-label="Pushed to all workspaces">
            {pushed.map((p) => (
              <li key={p.ref}>
                <a href={contentHref(p.ref)}>{p.name ?? p.ref}</a> <span class="kind">{p.ref}</span>{" "}
                {admin && (
                  <button type="button" class="danger small" disabled={action.busy} onClick={() => push(p.ref, false)} aria-label={`Take back the push of ${p.ref}`}>
                    Take back
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <div class="columns">
        <CreateFolderForm parent={self} busy={action.busy} run={after} />
        <PlaceResourceForm parent={self} project={project} busy={action.busy} run={after} />
      </div>

      <h2>Shared with</h2>
      <SharesTable members={info?.members ?? []} busy={action.busy} onUnshare={unshare} />
      {info && !info.permissions?.manage_access && <p class="note">Sharing needs manage_access here: project admins anywhere, editors holding an editor grant here or above.</p>}
      <ShareForm
        title={`Share this ${type}`}
        busy={action.busy}
        onShare={(subject, role, expiresAt) => after(async () => `${type} ${id} shared with ${subject} as ${role}${tokenNote(await con.api("PUT", `${apiPath(self)}/members/${encodeURIComponent(subject)}`, { role, ...(expiresAt ? { expiresAt } : {}) }))}`)}
      />

      {type === "folder" && info && (
        <>
          <MoveFolderForm folder={id} parent={info.parent} name={info.name} busy={action.busy} run={after} />
          <h2>Push to all workspaces</h2>
          <p class="note">A pushed folder is visible (view only) to whoever sees any workspace of {project}, with everything inside it.</p>
          {!admin && permissions && <p class="note">Only project admins push content to all workspaces.</p>}
          <button type="button" disabled={action.busy || !admin} onClick={() => push(self, !info.pushed)}>
            {info.pushed ? "Take back the push" : "Push to all workspaces"}
          </button>
        </>
      )}

      {/* NOTE: the access list's traced checks start once this page's own checks have answered: the
          embedded engine (SpiceDB 1.54) can crash when a traced check and a bulk check of the same
          question run at the same moment (its dispatch de-duplication shares the traced answer). */}
      {loaded === version && permissions !== undefined ? (
        <AccessList key={version} target={`${type}s/${encodeURIComponent(id)}`} resource={self} permissions={CONTAINER_PERMISSIONS} />
      ) : (
        <p aria-live="polite">Loading who has access…</p>
      )}

      <h2>Danger zone</h2>
      <button type="button" class="danger" onClick={remove} disabled={action.busy || !info}>
        Delete {type} {id} and everything below it
      </button>
      {confirm.element}
    </section>
  );
}
