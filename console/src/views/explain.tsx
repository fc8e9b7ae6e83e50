// explain: "may this subject do this here, and why?" — the check's answer, the reasons in
// product terms, the path of relationships that grants it, and the engine's whole trace.
// Needs a key with the `check` scope (admin keys have it).
import { useEffect, useState } from "preact/hooks";
import type { Json } from "../api";
import { useAction, Outcome } from "../components/action";
import { useConsole } from "../context";
import { PERMISSIONS_BY_TYPE } from "../model";
import { href } from "../router";
import { TraceTree, type TraceNode } from "./trace-tree";

export function ExplainView({ preset }: { preset: string[] }) {
  const con = useConsole();
  const action = useAction();
  const [resource, setResource] = useState(preset[0] ?? "");
  const [permission, setPermission] = useState(preset[1] ?? "");
  const [subject, setSubject] = useState(preset[2] ?? con.session.actor);
  const [answer, setAnswer] = useState<Json>();

  const explain = () =>
    action.run(async () => {
      setAnswer(undefined);
      setAnswer(await con.api("POST", "/v1/explain", { resource: resource.trim(), permission: permission.trim(), subject: subject.trim() }));
    });
  // A link such as #/explain/project:p1/edit/user:bob asks at once.
  useEffect(() => {
    if (preset.length === 3) void explain();
  }, []);

  const submit = (e: Event) => {
    e.preventDefault();
    // The question goes into the address, so it can be shared and reloaded.
    const target = href("explain", resource.trim(), permission.trim(), subject.trim());
    if (location.hash === target) void explain();
    else location.hash = target;
  };
  const type = resource.split(":")[0] ?? "";

  return (
    <section>
      <h1 tabIndex={-1}>Check &amp; explain</h1>
      <form onSubmit={submit} class="inline-form" aria-label="Permission question">
        <label>
          Resource
          <input name="checkResource" required placeholder="project:apollo" value={resource} onInput={(e) => setResource(e.currentTarget.value)} />
        </label>
        <label>
          Permission
          <input name="checkPermission" required list="permissions" placeholder="edit" value={permission} onInput={(e) => setPermission(e.currentTarget.value)} />
          <datalist id="permissions">
            {(PERMISSIONS_BY_TYPE[type] ?? []).map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </label>
        <label>
          Subject
          <input name="checkSubject" required placeholder="user:alice" value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Check and explain
        </button>
      </form>
      <Outcome of={action} />
      {answer && <Answer answer={answer} question={{ resource, permission, subject }} />}
    </section>
  );
}

function Answer({ answer, question }: { answer: Json; question: { resource: string; permission: string; subject: string } }) {
  const verdict = answer.allowed ? "allowed" : answer.conditional ? "conditional" : "denied";
  return (
    <div class="answer">
      <p class={`verdict ${verdict}`} role="status" data-testid="verdict">
        {verdict === "allowed" ? "Allowed" : verdict === "conditional" ? "Conditional" : "Denied"}: {question.subject} {verdict === "denied" ? "may not" : "may"} {question.permission} on {question.resource}
        {verdict === "conditional" ? ` — only with context ${(answer.missingContext ?? []).join(", ")}` : ""}
      </p>
      <h2>Why</h2>
      {answer.reasons?.length ? (
        <ul class="reasons" aria-label="Reasons">
          {(answer.reasons as string[]).map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : (
        <p>No grant gives this permission.</p>
      )}
      {answer.path?.length > 0 && (
        <>
          <h2>Path</h2>
          <ol class="path" aria-label="Path of relationships">
            {(answer.path as Array<{ node: string; kind: string; result: string }>).map((step, i) => (
              <li key={i}>
                <code>{step.node}</code> <span class="kind">{step.kind}</span>
              </li>
            ))}
            {answer.grantedBy && (
              <li>
                granted by relationship <code>{answer.grantedBy}</code>
              </li>
            )}
          </ol>
        </>
      )}
      {answer.trace && (
        <>
          <h2>Trace</h2>
          <TraceTree trace={answer.trace as TraceNode} />
        </>
      )}
      <p class="meta">zedToken {answer.zedToken}</p>
    </div>
  );
}
