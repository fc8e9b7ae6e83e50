// limits: security headers (helmet), CORS only for configured origins, a per-caller rate limit
// (429 with Retry-After) and a per-request time limit (504), all from the configuration.
import cors from "cors";
import type { Express } from "express";
import { rateLimit } from "express-rate-limit";
import helmet from "helmet";
import type { Limits } from "../config.js";
import { problemFor, sendProblem } from "./problem.js";

export const DEFAULT_LIMITS: Limits = { ratePerSecond: 0, rateLimitExempt: [], requestTimeoutMs: 30_000, corsOrigins: [] };

export function applyLimits(app: Express, stage: "before-auth" | "after-auth", overrides: Partial<Limits> = {}): void {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  if (stage === "before-auth") {
    app.use(helmet());
    if (limits.corsOrigins.length) app.use(cors({ origin: limits.corsOrigins, allowedHeaders: ["authorization", "content-type", "x-actor", "x-actor-email", "x-request-id"] }));
    app.use((req, res, next) => {
      const timer = setTimeout(() => {
        if (!res.headersSent) sendProblem(res, problemFor({ kind: "timeout", detail: `request took longer than ${limits.requestTimeoutMs} ms` }));
      }, limits.requestTimeoutMs);
      res.on("close", () => clearTimeout(timer));
      next();
    });
    return;
  }
  if (limits.ratePerSecond > 0) {
    const exempt = new Set(limits.rateLimitExempt.map((name) => `key:${name}`));
    app.use(
      rateLimit({
        windowMs: 1000,
        limit: limits.ratePerSecond,
        standardHeaders: "draft-7",
        legacyHeaders: false,
        keyGenerator: (_req, res) => String(res.locals.principalName),
        skip: (_req, res) => exempt.has(String(res.locals.principalName)),
        handler: (_req, res) => sendProblem(res, problemFor({ kind: "throttled", detail: `more than ${limits.ratePerSecond} requests per second` }), 1),
      }),
    );
  }
}
