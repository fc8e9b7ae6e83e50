// api: the console's only way to the server. Every call carries the session's key and actor;
// every failure becomes an ApiError holding the server's problem+json (code, detail, field).
import type { Session } from "./session";

/** ApiError is a failed call: the RFC 9457 problem the server sent, or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly field?: string;

  constructor(problem: { status: number; code: string; title: string; detail: string; field?: string }) {
    super(problem.detail);
    this.name = "ApiError";
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    if (problem.field) this.field = problem.field;
  }
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Json is what the API answers; views read the fields they need. */
// biome-ignore lint/suspicious/noExplicitAny: API answers are read field by field in the views; the server's OpenAPI document is their contract
export type Json = any;

/** call sends one request as the session's actor and returns the parsed JSON body. */
export async function call(session: Session, method: Method, path: string, body?: unknown): Promise<Json> {
  const headers: Record<string, string> = { authorization: `Bearer ${session.key}`, "x-actor": session.actor, accept: "application/json" };
  if (session.email) headers["x-actor-email"] = session.email;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (err) {
    throw new ApiError({ status: 0, code: "network", title: "Network error", detail: `the server could not be reached (${String(err)})` });
  }
  const text = await response.text();
  let parsed: Json = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return parsed ?? {};
  const problem = parsed && typeof parsed === "object" ? parsed : {};
  throw new ApiError({
    status: response.status,
    code: typeof problem.code === "string" ? problem.code : `http_${response.status}`,
    title: typeof problem.title === "string" ? problem.title : response.statusText,
    detail: typeof problem.detail === "string" ? problem.detail : text || response.statusText,
    field: typeof problem.field === "string" ? problem.field : undefined,
  });
}

/** path builds a URL path from literal parts and values, each value URL-encoded. */
export function path(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ""), "");
}

/** query renders the defined, non-empty entries as a query string ("" when none). */
export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== "");
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : "";
}
