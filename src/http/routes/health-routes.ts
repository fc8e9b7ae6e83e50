// health-routes: liveness and readiness, the only routes without authentication.
import { Router } from "express";
import type { UseCases } from "../../domain/use-cases.js";
import type { RouteDoc } from "../openapi.js";
import { sendProblem } from "../problem.js";

export const healthRouteDocs: RouteDoc[] = [
  { method: "get", path: "/healthz", tag: "Operations", scope: "none", summary: "The process is alive" },
  { method: "get", path: "/readyz", tag: "Operations", scope: "none", summary: "The engine answers and the schema is loaded (503 otherwise); `watch` says whether the engine can stream changes, and if not why" },
];

export function healthRoutes(useCases: Pick<UseCases, "checkReadiness">): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const readiness = await useCases.checkReadiness.execute();
    if (readiness.ready) {
      // Ready either way: checks and writes work without a change stream; /v1/watch does not.
      const { watch } = readiness;
      return res.json({ status: "ready", watch: watch.available ? "available" : `unavailable: ${watch.reason}` });
    }
    sendProblem(res, { type: "https://accord.dev/problems/unavailable", title: "Not ready", status: 503, detail: "engine not reachable or schema not loaded", code: "unavailable" }, 1);
  });
  return router;
}
