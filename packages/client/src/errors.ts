// errors: every failure of a call is an AccordError — Accord's RFC 9457 problem+json answer
// (status, code, detail, the failing field), an item error of a bulk check, or a failure on
// the way (network, the call's deadline, the caller's abort), so callers branch on `code`.

/** ProblemCode is each `code` Accord answers with (README "HTTP API"), and the client's own. */
export type ProblemCode =
  | "invalid_request"
  | "unauthenticated"
  | "forbidden"
  | "plan_required"
  | "not_found"
  | "already_exists"
  | "already_member"
  | "invitation_pending"
  | "seat_limit_reached"
  | "precondition_failed"
  | "payload_too_large"
  | "not_org_member"
  | "groups_not_allowed"
  | "invalid_role"
  | "throttled"
  | "unavailable"
  | "engine_unavailable"
  | "timeout"
  | "internal"
  /** The client's own: no HTTP answer came (connection refused, reset, DNS). */
  | "network_error"
  /** The client's own: the call's deadline (timeoutMs) passed. */
  | "request_timeout"
  /** The client's own: the caller's AbortSignal fired. */
  | "aborted";

/** Problem is the body of an error answer (application/problem+json). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  /** The failing request field, e.g. `resource` or `items.3.subject` (400 invalid_request). */
  field?: string;
}

/** STATUS_OF_CODE gives the HTTP status of a code, for errors that arrive without one (bulk items). */
const STATUS_OF_CODE: Record<string, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  plan_required: 403,
  not_found: 404,
  already_exists: 409,
  already_member: 409,
  invitation_pending: 409,
  seat_limit_reached: 409,
  precondition_failed: 409,
  payload_too_large: 413,
  not_org_member: 422,
  groups_not_allowed: 422,
  invalid_role: 422,
  throttled: 429,
  unavailable: 503,
  engine_unavailable: 503,
  timeout: 504,
  internal: 500,
};

export interface AccordErrorInit {
  status: number;
  /** A ProblemCode; another string if a newer server answers with a code this client does not know. */
  code: ProblemCode | (string & {});
  detail: string;
  title?: string;
  type?: string;
  field?: string;
  retryAfterSeconds?: number;
  requestId?: string;
  cause?: unknown;
}

/** AccordError is what every failed call rejects with: `err.code === "seat_limit_reached"`. */
export class AccordError extends Error {
  override readonly name = "AccordError";
  /** The HTTP status; 0 when no answer came (network_error, request_timeout, aborted). */
  readonly status: number;
  readonly code: ProblemCode | (string & {});
  readonly detail: string;
  readonly title: string;
  readonly type: string;
  /** The failing request field, when the server names one (400 invalid_request). */
  readonly field?: string;
  /** Retry-After of a 429 or 503 answer, in seconds. */
  readonly retryAfterSeconds?: number;
  /** The server's X-Request-Id for this call (to find it in Accord's log). */
  readonly requestId?: string;

  constructor(init: AccordErrorInit) {
    super(`${init.code}: ${init.detail}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.title = init.title ?? init.code;
    this.type = init.type ?? "about:blank";
    if (init.field !== undefined) this.field = init.field;
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
    if (init.requestId !== undefined) this.requestId = init.requestId;
  }

  /**
   * unavailable: no decision could be had from Accord — unreachable, out of time, throttled or
   * answering 502/503/504. The Express middleware fails closed (503) on these.
   */
  get unavailable(): boolean {
    if (this.status === 0) return this.code !== "aborted";
    return this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/** retryAfterOf reads Retry-After (seconds, or an HTTP date) as seconds. */
export function retryAfterOf(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** errorFromAnswer turns an error answer (its parsed body, or text) into an AccordError. */
export function errorFromAnswer(status: number, headers: Headers, body: unknown): AccordError {
  const problem = (typeof body === "object" && body !== null ? body : {}) as Partial<Problem>;
  const text = typeof body === "string" && body ? body.slice(0, 500) : undefined;
  return new AccordError({
    status,
    code: typeof problem.code === "string" ? problem.code : codeOfStatus(status),
    detail: typeof problem.detail === "string" ? problem.detail : (text ?? `HTTP ${status}`),
    title: typeof problem.title === "string" ? problem.title : undefined,
    type: typeof problem.type === "string" ? problem.type : undefined,
    field: typeof problem.field === "string" ? problem.field : undefined,
    retryAfterSeconds: retryAfterOf(headers),
    requestId: headers.get("x-request-id") ?? undefined,
  });
}

/** errorFromItem turns a bulk check item's `{error: {code, message}}` into an AccordError. */
export function errorFromItem(error: { code: string; message: string }): AccordError {
  return new AccordError({ status: STATUS_OF_CODE[error.code] ?? 500, code: error.code, detail: error.message });
}

function codeOfStatus(status: number): string {
  const found = Object.entries(STATUS_OF_CODE).find(([, s]) => s === status);
  return found ? found[0] : status >= 500 ? "internal" : "invalid_request";
}
