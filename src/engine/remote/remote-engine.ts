// RemoteEngine talks to a SpiceDB cluster (or to embedded Accord's gRPC endpoint) through
// @authzed/authzed-node, behind the same Engine port as the embedded engine; what the calls say
// is shared with it (spicedb/spicedb-engine). Its calls travel over a gRPC channel with
// deadlines and retries (grpc-transport). A replica keeps the newest zedToken it acknowledged,
// so its own reads see its own writes; a token handed in by a client (from another replica) is
// passed through as at_least_as_fresh; inside a product rule's cross-replica lock the default
// read is fully consistent; and expiries are made visible on time (expiry-settler).
import { v1 } from "@authzed/authzed-node";
import { isIP } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { EngineError, type CheckItem, type Consistency, type ExplainResult, type Precondition, type RelationshipUpdate, type WatchAvailability, type WriteResult } from "../engine.js";
import { inFullyConsistentScope } from "../consistency-scope.js";
import { parseSchema } from "../schema/parse-schema.js";
import type { SchemaModel } from "../schema/schema-model.js";
import { completeTrace, hasCachedStep } from "../schema/trace-completion.js";
import { toConsistency } from "../spicedb/consistency-codec.js";
import { SpiceDbEngine } from "../spicedb/spicedb-engine.js";
import { ExpirySettler } from "./expiry-settler.js";
import { GrpcTransport, type GrpcCallOptions } from "./grpc-transport.js";
import { resolveTarget, splitEndpoints } from "./spicedb-target.js";
import { probeWatch } from "./watch-availability.js";

export interface RemoteEngineOptions extends GrpcCallOptions {
  /** `host:port`, or several nodes separated by commas (round robin over them, see spicedb-target). */
  endpoint: string;
  token: string;
  /** Plaintext gRPC (local clusters, compose); TLS otherwise. */
  insecure: boolean;
  /** The schema written at connect (schema.zed); identical writes from many replicas are harmless. */
  schema?: string;
  /** How long connect() waits for the engine to answer at start (default 30 s). */
  connectTimeoutMs?: number;
}

export class RemoteEngine extends SpiceDbEngine<GrpcTransport> {
  private parsedSchema: { text: string; model: SchemaModel } | undefined;
  private readonly expiries = new ExpirySettler({
    writeNothing: () => this.sendWrite([], undefined),
    acknowledge: (token) => this.acknowledge(token),
  });
  private watchKnown: WatchAvailability | undefined;

  private constructor(
    private readonly client: v1.ZedClientInterface,
    options: RemoteEngineOptions,
  ) {
    super(new GrpcTransport(client, options));
  }

  /** connect opens the channel and writes the schema, waiting for the engine to come up. */
  static async connect(options: RemoteEngineOptions): Promise<RemoteEngine> {
    const security = options.insecure ? v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS : v1.ClientSecurity.SECURE;
    const { target, channelOptions, nodes } = await resolveTarget(options.endpoint);
    // TLS to a list of nodes: certificates name the host, not the address connected to.
    const firstHost = splitEndpoints(options.endpoint)[0]!.host;
    const tlsName = !options.insecure && nodes.length > 1 && !isIP(firstHost) ? { "grpc.ssl_target_name_override": firstHost, "grpc.default_authority": firstHost } : {};
    const client = v1.NewClient(options.token, target, security, undefined, {
      ...channelOptions,
      ...tlsName,
      // Reconnect quickly after an engine restart instead of grpc's default 1 s → 120 s backoff.
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 2_000,
      "grpc.keepalive_time_ms": 30_000,
    });
    const engine = new RemoteEngine(client, options);
    if (options.schema !== undefined) {
      const deadline = Date.now() + (options.connectTimeoutMs ?? 30_000);
      for (;;) {
        try {
          await engine.writeSchema(options.schema);
          break;
        } catch (err) {
          const kind = err instanceof EngineError ? err.failure.kind : "internal";
          if ((kind !== "unavailable" && kind !== "deadline_exceeded") || Date.now() > deadline) {
            client.close();
            throw err;
          }
          await delay(250);
        }
      }
    }
    return engine;
  }

  protected override consistency(consistency?: Consistency): v1.Consistency {
    // Under a lock shared by replicas, the default read must see writes made through any of them.
    if ((consistency === undefined || consistency.kind === "read_your_writes") && inFullyConsistentScope()) return toConsistency({ kind: "full" }, undefined);
    // For a while after an expiry, its empty write stands in for older tokens (expiry-settler).
    if (consistency?.kind === "at_least_as_fresh") return toConsistency({ kind: "at_least_as_fresh", token: this.expiries.freshest(consistency.token) }, undefined);
    return super.consistency(consistency);
  }

  /** beforeRead makes the expiries this replica knows of visible first (expiry-settler). */
  protected override beforeRead(consistency: Consistency | undefined): Promise<void> {
    return this.expiries.settle(consistency);
  }

  /**
   * explain is a traced check. A real SpiceDB answers sub-problems it has computed before from
   * its dispatch cache, bare; those steps are completed (schema/trace-completion.ts) at the
   * answer's revision, so the trace names the relations that grant, as an uncached one would.
   */
  override async explain(item: CheckItem, consistency?: Consistency): Promise<ExplainResult> {
    const answer = await super.explain(item, consistency);
    if (!answer.trace || !hasCachedStep(answer.trace)) return answer;
    const source = { tracedCheck: (i: CheckItem, c: Consistency) => super.explain(i, c), readRelationships: this.readRelationships.bind(this) };
    const at: Consistency = { kind: "at_least_as_fresh", token: answer.result.zedToken };
    return { result: answer.result, trace: await completeTrace(answer.trace, await this.schemaModel(), source, at) };
  }

  /** schemaModel parses the engine's current schema (kept while its text stays the same). */
  private async schemaModel(): Promise<SchemaModel> {
    const text = await this.readSchema();
    if (this.parsedSchema?.text !== text) this.parsedSchema = { text, model: parseSchema(text) };
    return this.parsedSchema.model;
  }

  override async write(updates: RelationshipUpdate[], preconditions?: Precondition[]): Promise<WriteResult> {
    const written = await super.write(updates, preconditions);
    for (const u of updates) if (u.operation !== "delete" && u.relationship.expiresAt) this.expiries.noteExpiry(u.relationship.expiresAt.getTime());
    return written;
  }

  /** noteExpiry: a relationship written elsewhere (seen on the watch) expires at `at`; see expiry-settler. */
  noteExpiry(at: number): void {
    this.expiries.noteExpiry(at);
  }

  /**
   * watchAvailability: can this SpiceDB watch at all (watch-availability)? The answer is kept
   * once known; an engine that is down is asked again next time.
   */
  async watchAvailability(): Promise<WatchAvailability> {
    if (this.watchKnown) return this.watchKnown;
    const answer = await probeWatch(this.client);
    if (answer) this.watchKnown = answer;
    return answer ?? { available: false, reason: "SpiceDB did not answer a watch (unavailable)" };
  }

  async ready(): Promise<boolean> {
    if (this.transport.closed) return false;
    try {
      return (await this.transport.readSchemaOnce()).schemaText.length > 0;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.transport.closed) return;
    this.transport.close();
  }
}
