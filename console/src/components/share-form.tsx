// share-form: share an item (resource, workspace or folder) with a user or a group as viewer or
// editor, optionally until a time; the grant reaches everything below a workspace or folder.
import { useState } from "preact/hooks";
import { subjectOf } from "../lookup";
import { RESOURCE_ROLES } from "../model";

export function ShareForm({ busy, onShare, title = "Share" }: { busy: boolean; onShare: (subject: string, role: string, expiresAt?: string) => Promise<boolean>; title?: string }) {
  const [subject, setSubject] = useState("");
  const [role, setRole] = useState("viewer");
  const [expires, setExpires] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await onShare(subjectOf(subject), role, expires ? new Date(expires).toISOString() : undefined)) setSubject("");
  };
  return (
    <form onSubmit={submit} class="inline-form" aria-labelledby="share">
      <h3 id="share">{title}</h3>
      <label>
        User or group (user:alice, group:eng)
        <input name="shareSubject" required value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
      </label>
      <label>
        Role
        <select name="shareRole" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {RESOURCE_ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label>
        Expires (optional)
        <input name="shareExpires" type="datetime-local" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Share
      </button>
    </form>
  );
}
