// trace-tree: SpiceDB's check trace as a tree a person can read — each node is a sub-question
// ("project:p1#edit"), marked allowed / denied / conditional in words, not only colour.
// Branches that granted are open; denied branches start folded. Native <details> make every
// node reachable and foldable from the keyboard.
export interface TraceNode {
  resource: { type: string; id: string };
  permission: string;
  kind: "relation" | "permission";
  subject: { type: string; id: string; relation?: string };
  result: "allowed" | "denied" | "conditional";
  caveat?: string;
  children: TraceNode[];
}

const label = (n: TraceNode) => `${n.resource.type}:${n.resource.id}#${n.permission}`;

function Badge({ result }: { result: TraceNode["result"] }) {
  return <span class={`badge ${result}`}>{result}</span>;
}

function Node({ node, depth }: { node: TraceNode; depth: number }) {
  const text = (
    <>
      <code>{label(node)}</code> <span class="kind">{node.kind}</span> <Badge result={node.result} />
      {node.caveat ? <span class="kind"> caveat {node.caveat}</span> : null}
    </>
  );
  if (!node.children.length) return <li class="leaf">{text}</li>;
  return (
    <li>
      <details open={node.result !== "denied" || depth === 0}>
        <summary>{text}</summary>
        <ul>
          {node.children.map((c, i) => (
            <Node key={i} node={c} depth={depth + 1} />
          ))}
        </ul>
      </details>
    </li>
  );
}

export function TraceTree({ trace }: { trace: TraceNode }) {
  const s = trace.subject;
  return (
    <div class="trace">
      <p>
        Asked for <code>{`${s.type}:${s.id}${s.relation ? `#${s.relation}` : ""}`}</code>:
      </p>
      <ul class="tree" aria-label="Explain trace">
        <Node node={trace} depth={0} />
      </ul>
    </div>
  );
}
