// access-list: who holds a permission on a project, resource or organization, and through
// what (direct role, group, custom role, organization bypass), in the server's own words.
import { useState } from "preact/hooks";
import type { Json } from "../api";
import { PagedFooter, usePaged } from "../components/paged";
import { useConsole } from "../context";
import { href } from "../router";

export interface AccessEntry {
  user: string;
  conditional?: true;
  via: Array<{ kind: string; reason: string; group?: string; resource?: string; role?: string }>;
}

export function AccessList({ target, resource, permissions }: { target: string; resource: string; permissions: readonly string[] }) {
  const con = useConsole();
  const [permission, setPermission] = useState(permissions[0]!);
  const list = usePaged<AccessEntry>(async (cursor) => {
    const page: Json = await con.api("GET", `/v1/${target}/access?permission=${encodeURIComponent(permission)}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    return { items: page.access, cursor: page.cursor };
  }, [target, permission]);
  return (
    <div>
      <h2>Who has access</h2>
      <label>
        Permission
        <select name="accessPermission" value={permission} onChange={(e) => setPermission(e.currentTarget.value)}>
          {permissions.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <table>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Through</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((entry) => (
            <tr key={entry.user}>
              <th scope="row">
                {entry.user}
                {entry.conditional ? " (conditional)" : ""}
              </th>
              <td>
                <ul class="plain">
                  {entry.via.map((v, i) => (
                    <li key={i}>{v.reason}</li>
                  ))}
                </ul>
              </td>
              <td>
                <a href={href("explain", resource, permission, entry.user)} aria-label={`Explain ${permission} of ${entry.user}`}>
                  Explain
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <PagedFooter list={list} noun="users with access" />
    </div>
  );
}
