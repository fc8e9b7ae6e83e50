// config: one zod schema for every setting. Parsed once from the environment in main.ts,
// frozen, and passed down from the composition root; nothing else reads process.env.
import { z } from "zod";

/** CheckPathOptions configure the check path: exact check cache, subject sets and coalescing (engine/cache/fast-check-path.ts). */
export interface CheckPathOptions {
  cache: boolean;
  cacheMaxEntries: number;
  /** Remote: how long a request ahead of the watch waits for it before going to the engine. */
  cacheWatchWaitMs: number;
  /** Remote: the margin around an expiry's instant (the clocks of Accord and PostgreSQL differ by less). */
  cacheExpiryMarginMs: number;
  /** Misses of one (subject, resource type, permission) before its subject set is looked up; 0 = off. */
  subjectSetAfter: number;
  subjectSetMaxSize: number;
  subjectSetMaxIds: number;
  coalesce: boolean;
  coalesceMaxBatch: number;
  coalesceMaxInFlight: number;
}

/** DEFAULT_CHECK_PATH: the check path's settings unless configured; chosen with `npm run bench` (docs/performance.md). */
export const DEFAULT_CHECK_PATH: Readonly<CheckPathOptions> = Object.freeze({
  cache: true,
  cacheMaxEntries: 100_000,
  cacheWatchWaitMs: 50,
  cacheExpiryMarginMs: 1_000,
  subjectSetAfter: 1,
  subjectSetMaxSize: 10_000,
  subjectSetMaxIds: 1_000_000,
  coalesce: true,
  coalesceMaxBatch: 100,
  coalesceMaxInFlight: 2,
});

const SCOPES = ["check", "manage", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export const ApiKeySchema = z.object({
  name: z.string().min(1).max(128),
  key: z.string().min(16, "API keys must be at least 16 characters"),
  scopes: z.array(z.enum(SCOPES)).min(1),
});
export type ApiKeyConfig = z.infer<typeof ApiKeySchema>;

const booleanFromEnv = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const booleanDefaultTrue = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === undefined || v === "" || v === "true" || v === "1");

const ConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default("127.0.0.1"),
    ACCORD_DATA_DIR: z.string().default("./data"),
    ACCORD_SCHEMA_FILE: z.string().default("schema.zed"),
    ACCORD_API_KEYS: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (!raw) return undefined;
        try {
          return z.array(ApiKeySchema).parse(JSON.parse(raw));
        } catch (err) {
          ctx.addIssue({ code: "custom", message: `ACCORD_API_KEYS must be a JSON array of {name, key, scopes}: ${(err as Error).message}` });
          return z.NEVER;
        }
      }),
    ACCORD_API_KEYS_FILE: z.string().optional(),
    ACCORD_JWT_SECRET: z.string().min(32, "ACCORD_JWT_SECRET must be at least 32 characters").optional(),
    ACCORD_JWKS_URL: z.url().optional(),
    ACCORD_JWT_ISSUER: z.string().optional(),
    ACCORD_JWT_AUDIENCE: z.string().optional(),
    ACCORD_RATE_LIMIT: z.coerce.number().int().min(0).default(0),
    ACCORD_RATE_LIMIT_EXEMPT: z.string().default(""),
    ACCORD_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    ACCORD_CORS_ORIGINS: z.string().default(""),
    ACCORD_METRICS_PUBLIC: booleanFromEnv,
    ACCORD_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // auto: pretty on a terminal, JSON otherwise.
    ACCORD_LOG_FORMAT: z.enum(["auto", "json", "pretty"]).default("auto"),
    ACCORD_BODY_LIMIT: z.string().default("1mb"),
    ACCORD_MAX_BULK_ITEMS: z.coerce.number().int().min(1).max(10_000).default(1000),
    ACCORD_INVITATION_TTL: z.string().default("7d"),
    // The check path (docs/performance.md): exact check cache and coalescing into bulk checks.
    ACCORD_CHECK_CACHE: booleanDefaultTrue,
    ACCORD_CHECK_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_CHECK_PATH.cacheMaxEntries),
    // Remote mode: how long a check ahead of SpiceDB's watch waits for it, and the margin around an expiry.
    ACCORD_CHECK_CACHE_WATCH_WAIT_MS: z.coerce.number().int().min(0).max(5_000).default(DEFAULT_CHECK_PATH.cacheWatchWaitMs),
    ACCORD_CHECK_CACHE_EXPIRY_MARGIN_MS: z.coerce.number().int().min(0).max(60_000).default(DEFAULT_CHECK_PATH.cacheExpiryMarginMs),
    // Nice value of the embedded engine's threads (SpiceDB's Go runtime, the libuv pool): the
    // event loop wins the CPU over them. 0 = off.
    ACCORD_ENGINE_NICE: z.coerce.number().int().min(0).max(19).default(10),
    ACCORD_SUBJECT_SET_AFTER: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_CHECK_PATH.subjectSetAfter),
    ACCORD_SUBJECT_SET_MAX_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_CHECK_PATH.subjectSetMaxSize),
    ACCORD_SUBJECT_SET_MAX_IDS: z.coerce.number().int().min(1).max(100_000_000).default(DEFAULT_CHECK_PATH.subjectSetMaxIds),
    ACCORD_COALESCE_CHECKS: booleanDefaultTrue,
    ACCORD_COALESCE_MAX_BATCH: z.coerce.number().int().min(1).max(1000).default(DEFAULT_CHECK_PATH.coalesceMaxBatch),
    ACCORD_COALESCE_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(DEFAULT_CHECK_PATH.coalesceMaxInFlight),
    SPICEDB_ENDPOINT: z.string().optional(),
    SPICEDB_TOKEN: z.string().optional(),
    SPICEDB_INSECURE: booleanFromEnv,
    DATABASE_URL: z.string().optional(),
    /** Serve the SpiceDB v1 gRPC API of the embedded engine on this port (bearer = admin key). */
    ACCORD_GRPC_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    ACCORD_GRPC_HOST: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.SPICEDB_ENDPOINT && !env.SPICEDB_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["SPICEDB_TOKEN"], message: "SPICEDB_TOKEN is required with SPICEDB_ENDPOINT" });
    }
    if (env.SPICEDB_ENDPOINT && !env.DATABASE_URL) {
      ctx.addIssue({ code: "custom", path: ["DATABASE_URL"], message: "DATABASE_URL (PostgreSQL) is required with SPICEDB_ENDPOINT: remote mode keeps app state there" });
    }
    if (env.SPICEDB_ENDPOINT && env.ACCORD_GRPC_PORT !== undefined) {
      ctx.addIssue({ code: "custom", path: ["ACCORD_GRPC_PORT"], message: "ACCORD_GRPC_PORT serves the embedded engine; in remote mode talk to SpiceDB directly" });
    }
  });

export interface Limits {
  /** Requests per second per key or user (0 = off). */
  ratePerSecond: number;
  /** Key names the rate limit does not apply to. */
  rateLimitExempt: string[];
  requestTimeoutMs: number;
  corsOrigins: string[];
}

export interface Config {
  apiKeysFile: string | undefined;
  jwt: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string };
  limits: Limits;
  /** Serve /metrics without credentials (for scrapers on a private network). */
  metricsPublic: boolean;
  port: number;
  host: string;
  dataDir: string;
  schemaFile: string;
  apiKeys: ApiKeyConfig[] | undefined;
  logLevel: z.infer<typeof ConfigSchema>["ACCORD_LOG_LEVEL"];
  logFormat: z.infer<typeof ConfigSchema>["ACCORD_LOG_FORMAT"];
  bodyLimit: string;
  maxBulkItems: number;
  invitationTtl: string;
  checkPath: CheckPathOptions;
  /** Nice value of the embedded engine's threads (0 = left as they are). */
  engineNice: number;
  spicedb: { endpoint: string; token: string; insecure: boolean } | undefined;
  databaseUrl: string | undefined;
  /** The embedded engine's SpiceDB gRPC endpoint, when ACCORD_GRPC_PORT is set. */
  grpc: { port: number; host: string } | undefined;
}

/** loadConfig parses the environment; it throws one readable error naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "config"}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const list = (raw: string) => raw.split(",").map((s) => s.trim()).filter(Boolean);
  return Object.freeze({
    apiKeysFile: e.ACCORD_API_KEYS_FILE,
    jwt: { secret: e.ACCORD_JWT_SECRET, jwksUrl: e.ACCORD_JWKS_URL, issuer: e.ACCORD_JWT_ISSUER, audience: e.ACCORD_JWT_AUDIENCE },
    limits: {
      ratePerSecond: e.ACCORD_RATE_LIMIT,
      rateLimitExempt: list(e.ACCORD_RATE_LIMIT_EXEMPT),
      requestTimeoutMs: e.ACCORD_REQUEST_TIMEOUT_MS,
      corsOrigins: list(e.ACCORD_CORS_ORIGINS),
    },
    metricsPublic: e.ACCORD_METRICS_PUBLIC,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.ACCORD_DATA_DIR,
    schemaFile: e.ACCORD_SCHEMA_FILE,
    apiKeys: e.ACCORD_API_KEYS,
    logLevel: e.ACCORD_LOG_LEVEL,
    logFormat: e.ACCORD_LOG_FORMAT,
    bodyLimit: e.ACCORD_BODY_LIMIT,
    maxBulkItems: e.ACCORD_MAX_BULK_ITEMS,
    invitationTtl: e.ACCORD_INVITATION_TTL,
    checkPath: {
      cache: e.ACCORD_CHECK_CACHE,
      cacheMaxEntries: e.ACCORD_CHECK_CACHE_MAX_ENTRIES,
      cacheWatchWaitMs: e.ACCORD_CHECK_CACHE_WATCH_WAIT_MS,
      cacheExpiryMarginMs: e.ACCORD_CHECK_CACHE_EXPIRY_MARGIN_MS,
      subjectSetAfter: e.ACCORD_SUBJECT_SET_AFTER,
      subjectSetMaxSize: e.ACCORD_SUBJECT_SET_MAX_SIZE,
      subjectSetMaxIds: e.ACCORD_SUBJECT_SET_MAX_IDS,
      coalesce: e.ACCORD_COALESCE_CHECKS,
      coalesceMaxBatch: e.ACCORD_COALESCE_MAX_BATCH,
      coalesceMaxInFlight: e.ACCORD_COALESCE_MAX_IN_FLIGHT,
    },
    engineNice: e.ACCORD_ENGINE_NICE,
    spicedb: e.SPICEDB_ENDPOINT ? { endpoint: e.SPICEDB_ENDPOINT, token: e.SPICEDB_TOKEN!, insecure: e.SPICEDB_INSECURE } : undefined,
    databaseUrl: e.DATABASE_URL,
    grpc: e.ACCORD_GRPC_PORT !== undefined ? { port: e.ACCORD_GRPC_PORT, host: e.ACCORD_GRPC_HOST ?? e.HOST } : undefined,
  });
}
