// org-groups: an organization's groups; for the open group, its direct members — users and
// nested groups, whose own members unfold in place — with add, remove and delete.
import { useState } from "preact/hooks";
import { path, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConfirm } from "../components/confirm";
import { ErrorBox } from "../components/error-box";
import { PagedFooter, reloadAfter, usePaged } from "../components/paged";
import { useConsole } from "../context";
import { idOf, subjectOf } from "../lookup";
import { href, navigate } from "../router";

interface Group {
  id: string;
  name: string | null;
}

export function OrgGroups({ org, group }: { org: string; group?: string }) {
  const con = useConsole();
  const action = useAction();
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const list = usePaged<Group>(async (cursor) => {
    const page: Json = await con.api("GET", `${path`/v1/orgs/${org}/groups`}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    return { items: page.groups, cursor: page.cursor };
  }, [org]);

  const create = (e: Event) => {
    e.preventDefault();
    void reloadAfter(action, list, async () => {
      const created = await con.api("POST", path`/v1/orgs/${org}/groups`, { id: idOf(id, "group"), ...(name.trim() ? { name: name.trim() } : {}) });
      setId("");
      setName("");
      navigate("orgs", org, "groups", created.id);
      return `Group ${created.id} created${tokenNote(created)}`;
    });
  };

  return (
    <div class="columns">
      <div>
        <h2>Groups</h2>
        <ul class="links">
          {list.items.map((g) => (
            <li key={g.id}>
              <a href={href("orgs", org, "groups", g.id)} aria-current={g.id === group ? "true" : undefined}>
                {g.name ? `${g.name} (${g.id})` : g.id}
              </a>
            </li>
          ))}
        </ul>
        <PagedFooter list={list} noun="groups" />
        <form onSubmit={create} aria-labelledby="create-group">
          <h3 id="create-group">Create a group</h3>
          <label>
            Group id
            <input name="group" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
          </label>
          <label>
            Name
            <input name="groupName" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            Create group
          </button>
          <Outcome of={action} />
        </form>
      </div>
      <div>{group ? <GroupPanel key={group} org={org} group={group} onDeleted={list.reload} /> : <p>Pick a group to see its members.</p>}</div>
    </div>
  );
}

function GroupPanel({ org, group, onDeleted }: { org: string; group: string; onDeleted: () => void }) {
  const con = useConsole();
  const action = useAction();
  const confirm = useConfirm();
  const [subject, setSubject] = useState("");
  const list = useMembers(group);

  const add = (e: Event) => {
    e.preventDefault();
    void reloadAfter(action, list, async () => {
      const answer = await con.api("PUT", path`/v1/groups/${group}/members/${subjectOf(subject)}`);
      setSubject("");
      return `${answer.subject} added to group ${group}${tokenNote(answer)}`;
    });
  };
  const remove = async (member: string) => {
    if (!(await confirm.ask(`Remove ${member} from group ${group}?`, "Remove from group"))) return;
    await reloadAfter(action, list, async () => tokenNoteOf(`${member} removed from group ${group}`, await con.api("DELETE", path`/v1/groups/${group}/members/${member}`)));
  };
  const deleteGroup = async () => {
    if (!(await confirm.ask(`Delete group ${group}? Every role and share it holds ends.`, "Delete group"))) return;
    if (await action.run(async () => tokenNoteOf(`Group ${group} deleted`, await con.api("DELETE", path`/v1/groups/${group}`)))) {
      onDeleted();
      navigate("orgs", org, "groups");
    }
  };

  return (
    <div>
      <h2>Members of group {group}</h2>
      <p class="note">A user counts as a member only while they are a member of the organization (rule 5).</p>
      <Outcome of={action} />
      <ul class="tree" aria-label={`Members of group ${group}`}>
        {list.items.map((m) => (
          <li key={m}>
            <MemberNode subject={m} seen={[group]} />{" "}
            <button type="button" class="danger small" disabled={action.busy} onClick={() => remove(m)} aria-label={`Remove ${m} from group ${group}`}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <PagedFooter list={list} noun="group members" />
      <form onSubmit={add} class="inline-form" aria-labelledby="add-group-member">
        <h3 id="add-group-member">Add a member</h3>
        <label>
          User or group (user:alice, group:eng)
          <input name="subject" required value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Add to group
        </button>
      </form>
      <button type="button" class="danger" onClick={deleteGroup} disabled={action.busy}>
        Delete group {group}
      </button>
      {confirm.element}
    </div>
  );
}

const tokenNoteOf = (message: string, answer: Json) => `${message}${tokenNote(answer)}`;

function useMembers(group: string) {
  const con = useConsole();
  return usePaged<string>(async (cursor) => {
    const page: Json = await con.api("GET", `${path`/v1/groups/${group}/members`}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    return { items: (page.members as Array<{ subject: string }>).map((m) => m.subject), cursor: page.cursor };
  }, [group]);
}

/** MemberNode shows a user, or a nested group whose members load when it is opened. */
function MemberNode({ subject, seen }: { subject: string; seen: string[] }) {
  const [open, setOpen] = useState(false);
  if (!subject.startsWith("group:")) return <span>{subject}</span>;
  const nested = subject.slice("group:".length);
  if (seen.includes(nested)) return <span>{subject} (already shown above)</span>;
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{subject} (nested group)</summary>
      {open && <NestedMembers group={nested} seen={[...seen, nested]} />}
    </details>
  );
}

function NestedMembers({ group, seen }: { group: string; seen: string[] }) {
  const list = useMembers(group);
  return (
    <ul class="tree">
      {list.error !== undefined && <ErrorBox error={list.error} />}
      {list.items.map((m) => (
        <li key={m}>
          <MemberNode subject={m} seen={seen} />
        </li>
      ))}
      {!list.loading && list.items.length === 0 && <li>(no members)</li>}
    </ul>
  );
}
