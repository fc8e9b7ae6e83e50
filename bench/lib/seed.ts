// seed loads a dataset into a running Accord through its HTTP API: through the product
// endpoints (POST /v1/orgs, PUT …/members, POST /v1/projects, …), organizations in parallel and
// each organization's operations in order, or — for sizes where thousands of product calls
// would dominate the run — as the same relationships through POST /v1/relationships.
// Personal projects' owners are put on the scale plan first (rule 17: only they may grant
// members there). Progress (count, rate, time left) goes to stderr.
import { startProgress } from "../../src/cli/progress.js";
import { relationshipsOf, type Dataset, type Operation } from "./dataset.js";

export type SeedMode = "product" | "raw";

interface Target {
  url: string;
  key: string;
}

async function send(target: Target, method: string, path: string, actor: string | undefined, body?: unknown): Promise<{ zedToken?: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${target.key}` };
  if (actor) headers["x-actor"] = `user:${actor}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(target.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path} as ${actor}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? (JSON.parse(text) as { zedToken?: string }) : {};
}

function productCall(target: Target, op: Operation): Promise<unknown> {
  const e = encodeURIComponent;
  switch (op.kind) {
    case "org":
      return send(target, "POST", "/v1/orgs", op.owner, { id: op.org });
    case "orgMember":
      return send(target, "PUT", `/v1/orgs/${op.org}/members/${op.user}`, op.actor, op.scopes ? { role: op.role, scopes: op.scopes } : { role: op.role });
    case "group":
      return send(target, "POST", `/v1/orgs/${op.org}/groups`, op.actor, { id: op.group });
    case "groupMember":
      return send(target, "PUT", `/v1/groups/${op.group}/members/${e(op.subject)}`, op.actor);
    case "role":
      return send(target, "POST", `/v1/orgs/${op.org}/roles`, op.actor, { id: op.role, name: op.role, permissions: op.permissions });
    case "project":
      return (async () => {
        if (op.owner.startsWith("user:")) await send(target, "PUT", `/v1/users/${e(op.owner.slice("user:".length))}/plan`, undefined, { plan: "scale" });
        return send(target, "POST", "/v1/projects", op.actor, { id: op.project, owner: op.owner });
      })();
    case "projectMember":
      return send(target, "PUT", `/v1/projects/${op.project}/members/${e(op.subject)}`, op.actor, { role: op.role });
    case "resource":
      return send(target, "PUT", `/v1/resources/${op.resource}`, op.actor, { project: op.project });
    case "resourceMember":
      return send(target, "PUT", `/v1/resources/${op.resource}/members/${e(op.subject)}`, op.actor, { role: op.role });
  }
}

/** seed returns the number of HTTP calls it made and the zedToken of the last write. */
export async function seed(target: Target, dataset: Dataset, mode: SeedMode, parallel = 8): Promise<{ calls: number; zedToken: string }> {
  if (mode === "raw") {
    const all = [...new Set(dataset.byOrg.flat().flatMap(relationshipsOf))];
    const chunks: string[][] = [];
    for (let i = 0; i < all.length; i += 1000) chunks.push(all.slice(i, i + 1000));
    let zedToken = "";
    const progress = startProgress("seeding", { unit: "relationships", total: all.length });
    for (const chunk of chunks) {
      const written = await send(target, "POST", "/v1/relationships", undefined, { updates: chunk.map((relationship) => ({ operation: "touch", relationship })) });
      zedToken = written.zedToken ?? zedToken;
      progress.advance(chunk.length);
    }
    progress.finish();
    return { calls: chunks.length, zedToken };
  }
  let next = 0;
  let calls = 0;
  const progress = startProgress("seeding", { unit: "product calls", total: dataset.byOrg.reduce((n, ops) => n + ops.length, 0) });
  const worker = async () => {
    while (next < dataset.byOrg.length) {
      const ops = dataset.byOrg[next++]!;
      for (const op of ops) {
        await productCall(target, op);
        calls += 1;
        progress.advance(1);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  progress.finish();
  return { calls, zedToken: "" };
}
