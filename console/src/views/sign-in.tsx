// sign-in: an API key (manage or admin scope) and the user to act as. One probe call learns
// whether the key is valid and whether it is an admin key; nothing is stored but in
// sessionStorage.
import { useState } from "preact/hooks";
import { ApiError, call } from "../api";
import { useAction, Outcome } from "../components/action";
import type { Session } from "../session";

const ACTOR = /^user:[A-Za-z0-9_-]{1,128}$/;

/** probeKey: 200 on the raw relationship read means admin; a 403 there is a manage key. */
async function probeKey(draft: Session): Promise<Session> {
  try {
    await call(draft, "GET", "/v1/relationships?resourceType=organization&limit=1");
    return { ...draft, admin: true };
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== "forbidden") throw err;
  }
  // Not admin: the key must at least reach product endpoints (a 404 for an unknown org is fine).
  try {
    await call(draft, "GET", "/v1/orgs/console-sign-in-probe");
  } catch (err) {
    if (err instanceof ApiError && (err.code === "unauthenticated" || /scope/.test(err.detail))) throw err;
  }
  return { ...draft, admin: false };
}

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState("");
  const [actor, setActor] = useState("user:");
  const [email, setEmail] = useState("");
  const action = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const id = actor.trim();
      if (!ACTOR.test(id)) throw new ApiError({ status: 400, code: "invalid_request", title: "Invalid request", detail: "the actor must be user:<id> (letters, digits, _ and -)", field: "actor" });
      const session = await probeKey({ key: key.trim(), actor: id, admin: false, ...(email.trim() ? { email: email.trim() } : {}) });
      onSignedIn(session);
    });
  };

  return (
    <main class="sign-in" id="main">
      <h1>Accord console</h1>
      <p>Sign in with an API key that has the <code>manage</code> or <code>admin</code> scope, and name the user you act for. They are kept in this tab's session storage only.</p>
      <form onSubmit={submit}>
        <label>
          API key
          <input type="password" name="key" autocomplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </label>
        <label>
          Act as (X-Actor)
          <input name="actor" required placeholder="user:alice" value={actor} onInput={(e) => setActor(e.currentTarget.value)} />
        </label>
        <label>
          E-mail (optional, for accepting e-mail invitations)
          <input type="email" name="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Sign in
        </button>
      </form>
      <Outcome of={action} />
    </main>
  );
}
