// transport sends one call to Accord: credentials (an API key, or a JWT from a provider asked
// before every request), X-Actor for product calls, one deadline for the whole call, and
// retries with exponential backoff and full jitter — only for idempotent calls (reads, checks,
// lookups), only on 429, 503 and network errors, honouring Retry-After. A write is never
// retried: a write that was refused stays refused, and one whose answer was lost may have landed.
import { AccordError, errorFromAnswer, retryAfterOf } from "./errors.js";

export interface RetryOptions {
  /** Retries after the first attempt (default 2). 0 turns retries off. */
  retries?: number;
  /** Backoff before retry n is a random delay in [0, min(maxDelayMs, baseDelayMs · 2^n)] (default 50). */
  baseDelayMs?: number;
  /** Upper bound of one backoff delay (default 1000). */
  maxDelayMs?: number;
}

/** Credentials: an API key, or a provider of a user's JWT (called before every request). */
export interface Credentials {
  apiKey?: string;
  token?: () => string | Promise<string>;
}

export interface TransportOptions extends Credentials {
  /** Accord's base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Deadline of one call, retries and their waits included (default 5000 ms). */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Headers sent with every call (e.g. a User-Agent). */
  headers?: Record<string, string>;
  /** A fetch implementation (default globalThis.fetch). */
  fetch?: typeof fetch;
}

/** CallOptions are what every call accepts besides its input. */
export interface CallOptions extends Credentials {
  signal?: AbortSignal;
  /** This call's deadline, replacing the client's timeoutMs. */
  timeoutMs?: number;
  /** X-Actor of a product call (manage scope): `user:<id>`. */
  actor?: string;
  /** X-Actor-Email of a product call (a verified address, from a trusted service). */
  actorEmail?: string;
  /** Extra headers of this call. */
  headers?: Record<string, string>;
}

/** Answer is an HTTP answer whose body has been read within the call's deadline. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

const RETRY_STATUSES = new Set([429, 503]);

export class Transport {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retries = options.retry?.retries ?? 2;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 50;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 1_000;
  }

  /** json sends a call and parses a successful answer, or throws the AccordError of a failed one. */
  async json<T>(method: string, path: string, body: unknown, call: CallOptions, idempotent: boolean): Promise<T> {
    const answer = await this.send(method, this.baseUrl + path, body === undefined ? undefined : JSON.stringify(body), call, idempotent);
    const parsed = parseBody(answer.text);
    if (answer.status >= 400) throw errorFromAnswer(answer.status, answer.headers, parsed);
    return parsed as T;
  }

  /** send makes the call: attempts, waits and the deadline; it returns the last answer. */
  async send(method: string, url: string, body: string | undefined, call: CallOptions, idempotent: boolean): Promise<Answer> {
    const deadline = Date.now() + (call.timeoutMs ?? this.timeoutMs);
    const maxAttempts = idempotent ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      const headers = await this.headers(call, body !== undefined);
      let answer: Answer;
      try {
        answer = await this.attempt(method, url, body, headers, deadline, call.signal);
      } catch (err) {
        if (!(err instanceof AccordError) || err.code !== "network_error" || attempt >= maxAttempts) throw err;
        if (!(await this.pause(this.backoff(attempt), deadline, call.signal))) throw err;
        continue;
      }
      if (!RETRY_STATUSES.has(answer.status) || attempt >= maxAttempts) return answer;
      const retryAfter = retryAfterOf(answer.headers);
      // Retry-After is the server's word: wait that long (plus a little jitter), or not at all.
      const wait = retryAfter !== undefined ? retryAfter * 1000 + Math.random() * this.baseDelayMs : this.backoff(attempt);
      if (!(await this.pause(wait, deadline, call.signal))) return answer;
    }
  }

  /** headers of one request; a token provider is asked for every request. */
  private async headers(call: CallOptions, hasBody: boolean): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: "application/json", ...this.options.headers, ...call.headers };
    if (hasBody) headers["content-type"] = "application/json";
    const token = call.token ?? (call.apiKey ? undefined : this.options.token);
    const bearer = token ? await token() : (call.apiKey ?? this.options.apiKey);
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (call.actor) headers["x-actor"] = call.actor;
    if (call.actorEmail) headers["x-actor-email"] = call.actorEmail;
    return headers;
  }

  /** attempt sends one request and reads its body, both before the deadline. */
  private async attempt(method: string, url: string, body: string | undefined, headers: Record<string, string>, deadline: number, signal?: AbortSignal): Promise<Answer> {
    if (signal?.aborted) throw aborted(signal.reason);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw timedOut();
    const controller = new AbortController();
    let timedOutHere = false;
    const timer = setTimeout(() => {
      timedOutHere = true;
      controller.abort();
    }, remaining);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const response = await this.fetchImpl(url, { method, headers, body, signal: controller.signal });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (err) {
      if (signal?.aborted) throw aborted(signal.reason);
      if (timedOutHere) throw timedOut();
      throw new AccordError({ status: 0, code: "network_error", detail: `could not reach Accord at ${new URL(url).origin}: ${describe(err)}`, cause: err });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** backoff before retry `attempt`: full jitter over an exponentially growing ceiling. */
  private backoff(attempt: number): number {
    return Math.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
  }

  /** pause waits `ms` unless that would pass the deadline (false: do not retry); an abort throws. */
  private pause(ms: number, deadline: number, signal?: AbortSignal): Promise<boolean> {
    if (Date.now() + ms >= deadline) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(aborted(signal?.reason));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** parseBody reads JSON, keeping a body that is not JSON as its text. */
export function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function aborted(reason: unknown): AccordError {
  return new AccordError({ status: 0, code: "aborted", detail: "the call was aborted by its caller", cause: reason });
}

function timedOut(): AccordError {
  return new AccordError({ status: 0, code: "request_timeout", detail: "Accord did not answer before the call's deadline" });
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
