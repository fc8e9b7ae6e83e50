// organizations: the organizations the actor can see, creating one (the actor becomes its
// owner) and opening one by id.
import { useState } from "preact/hooks";
import { tokenNote, useAction, Outcome } from "../components/action";
import { PagedFooter, usePaged } from "../components/paged";
import { useConsole } from "../context";
import { idOf, lookupVisible } from "../lookup";
import { href, navigate } from "../router";
import { rememberRecent } from "../session";
import { path } from "../api";

export function OrganizationsView() {
  const con = useConsole();
  const [fromHistory, setFromHistory] = useState(false);
  const list = usePaged(async (cursor) => {
    const page = await lookupVisible(con, "organization", cursor);
    setFromHistory(page.fromHistory === true);
    return page;
  }, []);

  return (
    <section>
      <h1 tabIndex={-1}>Organizations</h1>
      <div class="columns">
        <div>
          <h2>{fromHistory ? "Opened in this session" : `Organizations ${con.session.actor} belongs to`}</h2>
          {fromHistory && <p class="note">This key has no <code>check</code> scope, so the console cannot look up your organizations: it lists those you opened or created in this session.</p>}
          <ul class="links">
            {list.items.map((id) => (
              <li key={id}>
                <a href={href("orgs", id)}>{id}</a>
              </li>
            ))}
          </ul>
          <PagedFooter list={list} noun="organizations" />
        </div>
        <div>
          <CreateOrganization />
          <OpenById />
        </div>
      </div>
    </section>
  );
}

function CreateOrganization() {
  const con = useConsole();
  const action = useAction();
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [seatLimit, setSeatLimit] = useState("");
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const body = { id: id.trim(), ...(name.trim() ? { name: name.trim() } : {}), ...(seatLimit ? { seatLimit: Number(seatLimit) } : {}) };
      const created = await con.api("POST", "/v1/orgs", body);
      rememberRecent("organization", created.id);
      navigate("orgs", created.id, "members");
      return `Organization ${created.id} created${tokenNote(created)}`;
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="create-org">
      <h2 id="create-org">Create an organization</h2>
      <label>
        Organization id
        <input name="id" required pattern="[A-Za-z0-9_\-]{1,128}" value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <label>
        Name
        <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Seat limit (optional)
        <input name="seatLimit" type="number" min={1} value={seatLimit} onInput={(e) => setSeatLimit(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={action.busy}>
        Create organization
      </button>
      <Outcome of={action} />
    </form>
  );
}

function OpenById() {
  const con = useConsole();
  const action = useAction();
  const [id, setId] = useState("");
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const org = await con.api("GET", path`/v1/orgs/${idOf(id, "organization")}`);
      rememberRecent("organization", org.id);
      navigate("orgs", org.id, "members");
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="open-org">
      <h2 id="open-org">Open an organization</h2>
      <label>
        Organization id
        <input name="open" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={action.busy}>
        Open
      </button>
      <Outcome of={action} />
    </form>
  );
}
