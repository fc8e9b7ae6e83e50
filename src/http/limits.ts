// limits: the request limits of the configuration and their defaults, and CORS (only for the
// configured origins). The rate limit and the time limit are stages of the request pipeline
// (pipeline/rate-limit.ts, pipeline/time-limit.ts).
import cors from "cors";
import type { RequestHandler } from "express";
import type { Limits } from "../config.js";

export const DEFAULT_LIMITS: Limits = { ratePerSecond: 0, rateLimitExempt: [], requestTimeoutMs: 30_000, corsOrigins: [] };

/** corsFor allows the configured origins to call the API from a browser; undefined when none are. */
export function corsFor(limits: Pick<Limits, "corsOrigins">): RequestHandler | undefined {
  if (!limits.corsOrigins.length) return undefined;
  return cors({ origin: limits.corsOrigins, allowedHeaders: ["authorization", "content-type", "x-actor", "x-actor-email", "x-request-id"] });
}
