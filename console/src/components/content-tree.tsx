// content-tree: a project's content as a foldable tree — workspaces hold folders and resources,
// folders hold more of them, to any depth (rule 12). A folder's contents load when it is opened
// (native <details>: keyboard and screen readers know how to open it), so a large project costs
// one request per folder someone looks into.
import { useState } from "preact/hooks";
import { path, type Json } from "../api";
import { useConsole } from "../context";
import { href } from "../router";
import { PagedFooter, usePaged } from "./paged";

/** ContentEntry is a child of a workspace or folder as the API names it: `folder:<id>` or `resource:<id>`. */
export interface ContentEntry {
  ref: string;
  name?: string;
}

/** splitRef reads `folder:q1` as ["folder", "q1"]. */
export const splitRef = (ref: string): [string, string] => {
  const at = ref.indexOf(":");
  return [ref.slice(0, at), ref.slice(at + 1)];
};

/** contentHref links a workspace, folder or resource to its page. */
export const contentHref = (ref: string) => {
  const [type, id] = splitRef(ref);
  return href(`${type}s`, id);
};

/** ContentLabel is an item's name when it has one, else its id. */
export function ContentLabel({ entry }: { entry: ContentEntry }) {
  const [type, id] = splitRef(entry.ref);
  return (
    <>
      <span class="kind">{type}</span> <a href={contentHref(entry.ref)}>{entry.name ? `${entry.name} (${id})` : id}</a>
    </>
  );
}

/** useChildren pages through a workspace's or folder's children. */
export function useChildren(container: string, deps: unknown[] = []) {
  const con = useConsole();
  const [type, id] = splitRef(container);
  return usePaged<ContentEntry>(async (cursor) => {
    const page: Json = await con.api("GET", `${type === "workspace" ? path`/v1/workspaces/${id}` : path`/v1/folders/${id}`}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    return { items: page.children, cursor: page.cursor };
  }, [container, ...deps]);
}

/** ContentTree lists a container's children; folders unfold in place. */
export function ContentTree({ container, label }: { container: string; label: string }) {
  const list = useChildren(container);
  return (
    <>
      <ul class="tree" aria-label={label}>
        {list.items.map((entry) => (
          <li key={entry.ref} class={entry.ref.startsWith("folder:") ? undefined : "leaf"}>
            <ContentNode entry={entry} />
          </li>
        ))}
      </ul>
      <PagedFooter list={list} noun="items" />
    </>
  );
}

/** ContentNode is a resource (a link) or a folder whose contents load when opened. */
export function ContentNode({ entry }: { entry: ContentEntry }) {
  const [open, setOpen] = useState(false);
  if (!entry.ref.startsWith("folder:") && !entry.ref.startsWith("workspace:")) return <ContentLabel entry={entry} />;
  const [, id] = splitRef(entry.ref);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <ContentLabel entry={entry} />
      </summary>
      {open && <ContentTree container={entry.ref} label={`Contents of ${entry.name ?? id}`} />}
    </details>
  );
}
