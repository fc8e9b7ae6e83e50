// org-settings: the organization's name and seat limit (needs manage_billing), and deleting
// it (owners only).
import { useState } from "preact/hooks";
import { path, type Json } from "../api";
import { tokenNote, useAction, Outcome } from "../components/action";
import { useConfirm } from "../components/confirm";
import { useConsole } from "../context";
import { navigate } from "../router";

export function OrgSettings({ org, info, onChanged }: { org: string; info: Json; onChanged: () => void }) {
  const con = useConsole();
  const action = useAction();
  const confirm = useConfirm();
  const [name, setName] = useState<string>(info.name ?? "");
  const [seatLimit, setSeatLimit] = useState<string>(info.seatLimit === null || info.seatLimit === undefined ? "" : String(info.seatLimit));

  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const body = { ...(name.trim() ? { name: name.trim() } : {}), seatLimit: seatLimit ? Number(seatLimit) : null };
      const answer = await con.api("PATCH", path`/v1/orgs/${org}`, body);
      onChanged();
      return `Settings saved${tokenNote(answer)}`;
    });
  };
  const remove = async () => {
    if (!(await confirm.ask(`Delete organization ${org}, its groups, roles and every relationship naming it? This cannot be undone.`, "Delete organization"))) return;
    if (await action.run(async () => `Organization ${org} deleted${tokenNote(await con.api("DELETE", path`/v1/orgs/${org}`))}`)) navigate("orgs");
  };

  return (
    <div>
      <form onSubmit={save} aria-labelledby="org-settings">
        <h2 id="org-settings">Settings</h2>
        <label>
          Name
          <input name="orgName" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Seat limit (members + pending invitations; empty for none)
          <input name="orgSeatLimit" type="number" min={1} value={seatLimit} onInput={(e) => setSeatLimit(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Save settings
        </button>
      </form>
      <Outcome of={action} />
      <h2>Danger zone</h2>
      <button type="button" class="danger" disabled={action.busy} onClick={remove}>
        Delete organization {org}
      </button>
      {confirm.element}
    </div>
  );
}
