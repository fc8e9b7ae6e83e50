// plan-routes: personal plans (rule 10), scope `admin` — plans are set by billing, not by users.
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import { PERSONAL_PLANS } from "../../domain/plans/personal-plan.js";
import { requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { TypedId, parse } from "../validation.js";

const PlanBody = z.object({ plan: z.enum(PERSONAL_PLANS) }).strict();

export function planRouteDocs(): RouteDoc[] {
  const base = { tag: "Plans", scope: "admin" } as const;
  return [
    { ...base, method: "put", path: "/v1/users/:user/plan", summary: "Set a personal account's plan: starter (default) or scale (scale owners may invite to personal projects)", body: PlanBody, example: { plan: "scale" } },
    { ...base, method: "get", path: "/v1/users/:user/plan", summary: "A personal account's plan" },
  ];
}

export function planRoutes(useCases: UseCases): Router {
  const { setUserPlan: setPlan, getUserPlan: getPlan } = useCases;
  const router = Router();
  router.use("/v1/users/:user/plan", requireScope("admin"));
  const userOf = (params: Record<string, unknown>) => parse(TypedId("user"), params.user, "path.user");

  router.put("/v1/users/:user/plan", async (req, res) => {
    const userId = userOf(req.params);
    const body = parse(PlanBody, req.body);
    res.json(await setPlan.execute({ userId, plan: body.plan }));
  });

  router.get("/v1/users/:user/plan", async (req, res) => {
    res.json(await getPlan.execute({ userId: userOf(req.params) }));
  });

  return router;
}
