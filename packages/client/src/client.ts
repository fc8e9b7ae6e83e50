// client: AccordClient, the one object a service keeps — checks (batched into bulk calls),
// lookups, explain and the product calls, with read-your-writes: each write's zedToken is kept
// and later reads ask for an answer at least as fresh. `session()` makes a scope of its own
// (e.g. one per incoming request) sharing the connection, the batcher and the settings.
import createOpenApiClient, { type Client } from "openapi-fetch";
import { CheckBatcher, type BatchWindow } from "./check-batcher.js";
import { errorFromAnswer } from "./errors.js";
import type { paths } from "./openapi.js";
import { groupCalls, invitationCalls, organizationCalls, projectCalls, relationshipCalls, resourceCalls, roleCalls, type Fetched, type Init, type ProductCaller, type Written } from "./product-calls.js";
import { Transport, type CallOptions, type Credentials, type TransportOptions } from "./transport.js";
import type {
  BulkCheckItem,
  CheckBulkRequest,
  CheckBulkResult,
  CheckRequest,
  CheckResult,
  Consistency,
  ExplainRequest,
  ExplainResult,
  LookupResourcesRequest,
  LookupResourcesResult,
  LookupSubjectsRequest,
  LookupSubjectsResult,
} from "./types.js";
import { ZedTokens } from "./zed-tokens.js";

export interface AccordClientOptions extends TransportOptions {
  /** X-Actor of product calls (`user:<id>`), unless a session or the call names another. */
  actor?: string;
  actorEmail?: string;
  /**
   * Checks issued together go in one POST /v1/check/bulk (default on), at most maxBatchSize
   * items per call (default 100; never above maxBulkItems). window "turn" (default): the checks
   * of one turn of the event loop — every I/O callback of it, e.g. concurrent incoming requests;
   * "tick": those of one tick, as DataLoader batches. A check alone goes to POST /v1/check.
   */
  batch?: boolean | { maxBatchSize?: number; window?: BatchWindow };
  /** The server's bulk limit (ACCORD_MAX_BULK_ITEMS, default 1000): checkBulk splits larger requests. */
  maxBulkItems?: number;
  /** Start from this zedToken (e.g. one handed over by another service). */
  zedToken?: string;
}

export interface SessionOptions extends Credentials {
  /** Start from this zedToken (e.g. from the incoming request), instead of the parent's. */
  zedToken?: string;
  actor?: string;
  actorEmail?: string;
}

/** Core is what a client and its sessions share. */
interface Core {
  transport: Transport;
  batcher: CheckBatcher | undefined;
  api: Client<paths>;
  maxBulkItems: number;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export class AccordClient {
  readonly orgs;
  readonly projects;
  readonly groups;
  readonly roles;
  readonly invitations;
  readonly resources;
  /** The raw relationship API (admin scope). */
  readonly relationships;
  private readonly core: Core;
  private readonly tokens: ZedTokens;
  private readonly defaults: CallOptions;

  constructor(options: AccordClientOptions);
  /** @internal sessions share their parent's core. */
  constructor(options: AccordClientOptions, core: Core, tokens: ZedTokens, defaults: CallOptions);
  constructor(options: AccordClientOptions, core?: Core, tokens?: ZedTokens, defaults?: CallOptions) {
    this.core = core ?? createCore(options, this);
    this.tokens = tokens ?? new ZedTokens(undefined, options.zedToken);
    this.defaults = defaults ?? { actor: options.actor, actorEmail: options.actorEmail };
    const caller = this.productCaller();
    this.orgs = organizationCalls(caller);
    this.projects = projectCalls(caller);
    this.groups = groupCalls(caller);
    this.roles = roleCalls(caller);
    this.invitations = invitationCalls(caller);
    this.resources = resourceCalls(caller);
    this.relationships = relationshipCalls(caller, () => this.tokens.current);
  }

  /** zedToken is the token later reads of this scope ask to be at least as fresh as. */
  get zedToken(): string | undefined {
    return this.tokens.current;
  }

  /** observeZedToken records a write made elsewhere (another service handed over its token). */
  observeZedToken(token: string): void {
    this.tokens.observe(token);
  }

  /**
   * session is a scope of its own: its reads follow its own writes (and its parent's until it
   * writes); its writes count for the parent too. Use one per incoming request or user.
   */
  session(options: SessionOptions = {}): AccordClient {
    const defaults: CallOptions = { ...this.defaults };
    for (const key of ["actor", "actorEmail", "apiKey", "token"] as const) if (options[key] !== undefined) (defaults as Record<string, unknown>)[key] = options[key];
    return new AccordClient({ baseUrl: this.core.transport.baseUrl }, this.core, new ZedTokens(this.tokens, options.zedToken), defaults);
  }

  /** check: may the subject do this on that resource? Batched with the checks of the same tick. */
  check(request: CheckRequest, call?: CallOptions): Promise<CheckResult> {
    const { consistency, ...item } = request;
    const options = this.options(call);
    const fresh = this.consistency(consistency);
    if (this.core.batcher) return this.core.batcher.load(item, fresh, options);
    return this.checkOne(item, fresh, options);
  }

  /** checkBulk asks many checks in as few calls as the server's bulk limit allows; an error stays with its item. */
  async checkBulk(request: CheckBulkRequest | BulkCheckItem[], call?: CallOptions): Promise<CheckBulkResult> {
    const { items, consistency } = Array.isArray(request) ? { items: request, consistency: undefined } : request;
    const fresh = this.consistency(consistency);
    const chunks: BulkCheckItem[][] = [];
    for (let i = 0; i < items.length; i += this.core.maxBulkItems) chunks.push(items.slice(i, i + this.core.maxBulkItems));
    if (chunks.length === 0) chunks.push([]); // let the server name the empty list
    const answers = await Promise.all(chunks.map((chunk) => this.bulk(chunk, fresh, this.options(call))));
    return { results: answers.flatMap((a) => a.results), zedToken: answers.at(-1)!.zedToken };
  }

  lookupResources(request: LookupResourcesRequest, call?: CallOptions): Promise<LookupResourcesResult> {
    return this.query("/v1/lookup/resources", request, call);
  }

  lookupSubjects(request: LookupSubjectsRequest, call?: CallOptions): Promise<LookupSubjectsResult> {
    return this.query("/v1/lookup/subjects", request, call);
  }

  /** explain: why (or why not) — the path of relationships and the reasons in product terms. */
  explain(request: ExplainRequest, call?: CallOptions): Promise<ExplainResult> {
    return this.query("/v1/explain", request, call);
  }

  private query<T>(path: string, request: { consistency?: Consistency }, call?: CallOptions): Promise<T> {
    const consistency = this.consistency(request.consistency);
    return this.core.transport.json<T>("POST", path, consistency ? { ...request, consistency } : request, this.options(call), true);
  }

  /** checkOne asks one check on POST /v1/check (the batcher's single path too). */
  private checkOne(item: BulkCheckItem, consistency: Consistency | undefined, call: CallOptions): Promise<CheckResult> {
    return this.core.transport.json<CheckResult>("POST", "/v1/check", consistency ? { ...item, consistency } : item, call, true);
  }

  private bulk(items: BulkCheckItem[], consistency: Consistency | undefined, call: CallOptions): Promise<CheckBulkResult> {
    return this.core.transport.json<CheckBulkResult>("POST", "/v1/check/bulk", consistency ? { items, consistency } : { items }, call, true);
  }

  /** consistency: what the caller asked for, else at least as fresh as this scope's last write. */
  private consistency(asked: Consistency | undefined): Consistency | undefined {
    if (asked !== undefined) return asked;
    const token = this.tokens.current;
    return token ? { atLeastAsFresh: token } : undefined;
  }

  private options(call: CallOptions | undefined): CallOptions {
    if (!call) return this.defaults;
    // A call's own credentials replace the scope's (an API key and a token provider exclude each other).
    const credentials = call.apiKey !== undefined || call.token !== undefined ? { apiKey: call.apiKey, token: call.token } : {};
    return { ...this.defaults, ...call, ...credentials };
  }

  private productCaller(): ProductCaller {
    const run = async <D>(execute: (init: Init) => Promise<Fetched<D>>, call: CallOptions | undefined, write: boolean): Promise<D> => {
      const options = this.options(call);
      const { data, error, response } = await execute({ fetch: (request) => this.forward(request, options, !write) });
      if (!response.ok) throw errorFromAnswer(response.status, response.headers, error);
      const token = (data as { zedToken?: unknown } | undefined)?.zedToken;
      if (write && typeof token === "string") this.tokens.observe(token);
      return data as D;
    };
    return {
      api: this.core.api,
      read: (execute, call) => run(execute, call, false),
      write: <D>(execute: (init: Init) => Promise<Fetched<D>>, call?: CallOptions) => run(execute, call, true) as Promise<Written<D>>,
    };
  }

  /** forward sends a request openapi-fetch built through the transport (credentials, deadline, retries). */
  private async forward(request: Request, call: CallOptions, idempotent: boolean): Promise<Response> {
    const text = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    const headers = { ...call.headers, ...(text ? { "content-type": request.headers.get("content-type") ?? "application/json" } : {}) };
    const answer = await this.core.transport.send(request.method, request.url, text || undefined, { ...call, headers }, idempotent);
    return new Response(NULL_BODY_STATUSES.has(answer.status) ? null : answer.text, { status: answer.status, headers: answer.headers });
  }

  /** @internal the batcher's way back to the client's calls. */
  static sender(client: AccordClient) {
    return {
      bulk: (items: BulkCheckItem[], consistency: Consistency | undefined, call: CallOptions) => client.bulk(items, consistency, call),
      single: (item: BulkCheckItem, consistency: Consistency | undefined, call: CallOptions) => client.checkOne(item, consistency, call),
    };
  }
}

function createCore(options: AccordClientOptions, client: AccordClient): Core {
  const transport = new Transport(options);
  const maxBulkItems = options.maxBulkItems ?? 1000;
  const batchOption = options.batch ?? true;
  const batch = typeof batchOption === "object" ? batchOption : {};
  const maxBatchSize = Math.max(1, Math.min(maxBulkItems, batch.maxBatchSize ?? 100));
  return {
    transport,
    maxBulkItems,
    batcher: batchOption === false ? undefined : new CheckBatcher(AccordClient.sender(client), maxBatchSize, batch.window),
    // The base URL is openapi-fetch's; every request goes out through `forward`.
    api: createOpenApiClient<paths>({ baseUrl: transport.baseUrl }),
  };
}

/** createAccordClient: `createAccordClient({ baseUrl, apiKey })`. */
export function createAccordClient(options: AccordClientOptions): AccordClient {
  return new AccordClient(options);
}
