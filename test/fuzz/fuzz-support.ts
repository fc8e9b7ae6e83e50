// fuzz-support: what the fuzz suites share — the seed and run bounds (FUZZ_SEED), a raw HTTP
// sender that puts paths and headers on the wire exactly as generated (fetch would normalise
// `..` and refuse some bytes), the state fingerprint (every relationship of every schema type
// plus every row of every app-state table), and the answer contract every response must meet.
import fc from "fast-check";
import { createHash } from "node:crypto";
import http from "node:http";
import { expect } from "vitest";
import type { RouteDoc } from "../../src/http/openapi.js";
import { KEYS, SCHEMA, type TestServer } from "../support/test-server.js";

/** FUZZ_SEED makes a run reproducible; without it every run explores new inputs. */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;

/** FUZZ_SCALE multiplies runs and time caps, for a longer hunt by hand (default 1 in the suite). */
export const FUZZ_SCALE = Number(process.env.FUZZ_SCALE ?? 1);

/** fuzzTimeout: a test's timeout for a property capped at `timeLimitMs`, with room to spare. */
export const fuzzTimeout = (timeLimitMs: number) => timeLimitMs * FUZZ_SCALE + 30_000;

/**
 * fuzz runs one property with a bounded number of runs and a time cap (the suite must stay fast
 * on a 2-core machine); on failure it prints how to replay the run before rethrowing.
 */
export async function fuzz<Ts>(name: string, property: fc.IAsyncPropertyWithHooks<Ts>, numRuns: number, timeLimitMs = 20_000): Promise<void> {
  try {
    await fc.assert(property, { seed: FUZZ_SEED, numRuns: Math.ceil(numRuns * FUZZ_SCALE), interruptAfterTimeLimit: timeLimitMs * FUZZ_SCALE, endOnFailure: true });
  } catch (err) {
    console.error(`[fuzz] ${name} failed; replay with FUZZ_SEED=${FUZZ_SEED}`);
    throw err;
  }
}

export interface RawRequest {
  method: string;
  /** Sent verbatim: already percent-encoded where the generator meant to. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** send makes one request; a server-sent event stream is answered as soon as its headers arrive. */
export function send(baseUrl: string, request: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { ...request.headers };
  // Node sends a GET or DELETE body unframed unless told its length.
  if (request.body !== undefined) headers["content-length"] ??= String(Buffer.byteLength(request.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent, timeout: timeoutMs },
      (res) => {
        if (String(res.headers["content-type"] ?? "").startsWith("text/event-stream")) {
          res.destroy();
          return resolve({ status: res.statusCode!, headers: res.headers, text: "" });
        }
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms: ${request.method} ${request.path.slice(0, 200)}`)));
    req.on("error", reject);
    req.end(request.body);
  });
}

export const describeRequest = (r: RawRequest) =>
  `${r.method} ${r.path.slice(0, 300)} headers=${JSON.stringify(r.headers ?? {}).slice(0, 400)} body=${(r.body ?? "").slice(0, 400)}`;

/**
 * expectAnswerContract: never a 5xx; every 4xx is application/problem+json carrying a `code`
 * and its own status (HEAD answers carry no body, so only the type is checked there).
 */
export function expectAnswerContract(request: RawRequest, response: RawResponse): void {
  const where = `${describeRequest(request)}\n→ ${response.status} ${response.text.slice(0, 400)}`;
  expect(response.status, where).toBeLessThan(500);
  if (response.status < 400) return;
  expect(String(response.headers["content-type"]), where).toMatch(/^application\/problem\+json/);
  if (request.method === "HEAD") return;
  const problem = JSON.parse(response.text) as { code?: unknown; status?: unknown; title?: unknown };
  expect(typeof problem.code === "string" && problem.code.length > 0, where).toBe(true);
  expect(problem.status, where).toBe(response.status);
  expect(typeof problem.title, where).toBe("string");
}

export const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
export const isAccepted = (response: RawResponse) => response.status >= 200 && response.status < 300;

/** SCHEMA_TYPES: every definition of schema.zed, so the fingerprint covers every relationship. */
export const SCHEMA_TYPES = [...SCHEMA.matchAll(/^definition\s+([a-z_]+)/gm)].map((m) => m[1]!);

/**
 * stateFingerprint hashes the whole relationship set (GET /v1/relationships per resource type,
 * every page) and every row of every table of the SQLite app store.
 */
export async function stateFingerprint(server: TestServer): Promise<string> {
  const hash = createHash("sha256");
  for (const type of SCHEMA_TYPES) {
    const lines: string[] = [];
    let cursor: string | undefined;
    do {
      const query = `resourceType=${type}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await send(server.url, { method: "GET", path: `/v1/relationships?${query}`, headers: { authorization: `Bearer ${KEYS.admin}` } });
      expect(res.status, res.text).toBe(200);
      const page = JSON.parse(res.text) as { relationships: unknown[]; cursor?: string };
      for (const r of page.relationships) lines.push(JSON.stringify(r));
      cursor = page.cursor;
    } while (cursor);
    hash.update(lines.sort().join("\n")).update("\n--\n");
  }
  hash.update(appStateRows(server).join("\n"));
  return hash.digest("hex");
}

/** appStateRows: every row of every table of the SQLite app store, sorted per table. */
export function appStateRows(server: TestServer): string[] {
  const db = (server.store as { file?: { prepare(sql: string): { all(): unknown[] } } }).file;
  if (!db) return [];
  // NOTE: SQLite's own tables are left out: sqlite_sequence advances when a rejected write's
  // pending audit entry is rolled back, which leaves a gap in ids but no app state behind.
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as Array<{ name: string }>;
  return tables.flatMap(({ name }) => [
    `-- ${name}`,
    ...db
      .prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`)
      .all()
      .map((row) => JSON.stringify(row))
      .sort(),
  ]);
}

/**
 * StateGuard proves that rejected requests change nothing, hashing once per run of rejected
 * requests: before a request that may legitimately write, the state is compared with the last
 * fingerprint; after an accepted write a new fingerprint is taken.
 */
export class StateGuard {
  private baseline: string | undefined;
  private pending: string[] = [];
  /** How many requests were proven to have changed nothing. */
  verified = 0;

  constructor(private readonly server: TestServer) {}

  async start(): Promise<void> {
    this.baseline = await stateFingerprint(this.server);
    this.pending = [];
  }

  /** beforeMayWrite: settle the pending rejected requests before one that may be accepted. */
  async beforeMayWrite(): Promise<void> {
    if (this.pending.length > 0) await this.verify();
  }

  /** record notes a request that must have changed nothing, or re-baselines after an accepted write. */
  async record(description: string, changedState: boolean): Promise<void> {
    if (changedState) {
      this.baseline = await stateFingerprint(this.server);
      this.pending = [];
    } else {
      this.pending.push(description);
    }
  }

  async verify(): Promise<void> {
    const now = await stateFingerprint(this.server);
    expect(now, `state changed after requests that were rejected or read-only:\n${this.pending.join("\n")}`).toBe(this.baseline);
    this.verified += this.pending.length;
    this.pending = [];
  }
}

/** fillPath puts values into an Express path's `:params` (values are sent verbatim). */
export function fillPath(path: string, value: (param: string) => string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => value(name));
}

export const paramsOf = (doc: RouteDoc) => [...doc.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);

export const routeName = (doc: RouteDoc) => `${doc.method.toUpperCase()} ${doc.path}`;

/** Fixture: one small world the fuzzers aim at, so validation is reached past every 404. */
export interface Fixture {
  actor: string;
  /** Real ids per path parameter name (subject: a member reference). */
  params: Record<string, string>;
}

/** createFixture builds an organization with a member, group, custom role, project and resource. */
export async function createFixture(server: TestServer, prefix: string): Promise<Fixture> {
  const ids = { owner: `${prefix}own`, member: `${prefix}mem`, org: `${prefix}org`, group: `${prefix}grp`, role: `${prefix}role`, project: `${prefix}prj`, resource: `${prefix}res` };
  const as = { key: "manage" as const, actor: `user:${ids.owner}` };
  const steps: Array<[string, string, unknown]> = [
    ["POST", "/v1/orgs", { id: ids.org, name: "Fuzz org" }],
    ["PUT", `/v1/orgs/${ids.org}/members/${ids.member}`, { role: "member" }],
    ["POST", `/v1/orgs/${ids.org}/groups`, { id: ids.group }],
    ["PUT", `/v1/groups/${ids.group}/members/user:${ids.member}`, undefined],
    ["POST", `/v1/orgs/${ids.org}/roles`, { id: ids.role, name: "Fuzz role", permissions: ["view"] }],
    ["POST", "/v1/projects", { id: ids.project, owner: `organization:${ids.org}` }],
    ["PUT", `/v1/projects/${ids.project}/members/user:${ids.member}`, { role: "editor" }],
    ["PUT", `/v1/resources/${ids.resource}`, { project: ids.project }],
    ["PUT", `/v1/resources/${ids.resource}/members/user:${ids.member}`, { role: "viewer" }],
  ];
  for (const [method, path, body] of steps) {
    const res = await server.call(method, path, { ...as, body });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  }
  return {
    actor: `user:${ids.owner}`,
    params: { org: ids.org, user: ids.member, group: ids.group, role: ids.role, project: ids.project, resource: ids.resource, subject: `user:${ids.member}` },
  };
}

/** jsonBody serialises a generated value; `__proto__` keys made with defineProperty survive. */
export const jsonBody = (value: unknown) => JSON.stringify(value);

/** Tally counts answers per route and status; FUZZ_STATS=1 prints it, to see how deep a run got. */
export class Tally {
  private readonly counts = new Map<string, Map<string, number>>();

  add(route: string, status: number, code?: string): void {
    const row = this.counts.get(route) ?? new Map<string, number>();
    const key = code ? `${status} ${code}` : String(status);
    row.set(key, (row.get(key) ?? 0) + 1);
    this.counts.set(route, row);
  }

  print(title: string): void {
    if (!process.env.FUZZ_STATS) return;
    const lines = [...this.counts].sort().map(([route, row]) => `${route}: ${[...row].map(([k, n]) => `${k}×${n}`).join(", ")}`);
    console.log(`[fuzz] ${title}\n${lines.join("\n")}`);
  }
}

/** problemCode reads a problem's code, if the answer is one. */
export function problemCode(response: RawResponse): string | undefined {
  try {
    return (JSON.parse(response.text) as { code?: string }).code;
  } catch {
    return undefined;
  }
}
