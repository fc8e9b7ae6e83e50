// organization-routes: organizations and their members (docs/api.md), scope `manage` with
// X-Actor. It also mounts the group and custom-role routers, which share its per-organization
// locks, so the composition root registers one router for the whole organization area.
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import { type OrganizationView } from "../../domain/organizations/create-organization.js";
import { ORG_AREAS, ORG_ROLES } from "../../domain/model.js";
import { actorOf, requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { Cursor, Limit, ProductId, parse } from "../validation.js";
import { groupRoutes } from "./group-routes.js";
import { roleRoutes } from "./role-routes.js";

const Name = z.string().trim().min(1).max(200);
const ListQuery = z.object({ limit: Limit(1000).default(100), cursor: Cursor.optional() }).strict();
const SeatLimit = z.number().int().positive();

const CreateBody = z.object({ id: ProductId, name: Name.optional(), seatLimit: SeatLimit.nullable().optional() }).strict();
const UpdateBody = z
  .object({ name: Name.optional(), seatLimit: SeatLimit.nullable().optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.seatLimit !== undefined, { message: "give name or seatLimit" });
const Level = z.enum(["none", "view", "full"]);
const Scopes = z.object(Object.fromEntries(ORG_AREAS.map((area) => [area, Level.optional()])) as Record<(typeof ORG_AREAS)[number], z.ZodOptional<typeof Level>>).strict();
const MemberBody = z.object({ role: z.enum(ORG_ROLES), scopes: Scopes.optional() }).strict();
const OrgParams = z.object({ org: ProductId }).strict();
const MemberParams = z.object({ org: ProductId, user: ProductId }).strict();

const present = (org: OrganizationView) => ({ id: org.id, name: org.name ?? null, seatLimit: org.seatLimit ?? null, createdAt: org.createdAt.toISOString() });

/** organizationRouteDocs documents these routes in /openapi.json from the schemas above. */
export function organizationRouteDocs(): RouteDoc[] {
  const tag = "Organizations";
  const base = { tag, scope: "manage", actor: true } as const;
  return [
    { ...base, method: "post", path: "/v1/orgs", status: 201, summary: "Create an organization; the actor becomes its owner", body: CreateBody, example: { id: "acme", name: "Acme Inc.", seatLimit: 50 } },
    { ...base, method: "get", path: "/v1/orgs/:org", summary: "Read an organization (needs view: any member)" },
    {
      ...base,
      method: "patch",
      path: "/v1/orgs/:org",
      summary: "Change the name or seat limit (settings: needs manage_billing)",
      body: UpdateBody,
      example: { name: "Acme Corporation", seatLimit: 100 },
    },
    { ...base, method: "delete", path: "/v1/orgs/:org", summary: "Delete the organization and every relationship naming it (owners only: delete)" },
    { ...base, method: "get", path: "/v1/orgs/:org/members", summary: "Members with their role and scopes (needs view_members), paged", query: ListQuery },
    {
      ...base,
      method: "put",
      path: "/v1/orgs/:org/members/:user",
      summary: "Add a member or change their role and scopes (manage_members; admin in or out: manage_admins; owner in or out: manage_owners)",
      description: "The seat limit applies to new members (409 seat_limit_reached); an organization never loses its last owner (409 precondition_failed).",
      body: MemberBody,
      example: { role: "member", scopes: { projects: "full", members: "view" } },
    },
    {
      ...base,
      method: "delete",
      path: "/v1/orgs/:org/members/:user",
      summary: "Remove a member with the cascade of rule 6 (groups, project roles, resource grants), or leave",
    },
  ];
}

export function organizationRoutes(useCases: UseCases): Router {
  const { createOrganization, getOrganization, updateOrganization, deleteOrganization, listOrgMembers, setOrgMember, removeOrgMember } = useCases;

  const router = Router();
  router.use("/v1/orgs", requireScope("manage"));

  router.post("/v1/orgs", async (req, res) => {
    const actor = actorOf(req);
    const body = parse(CreateBody, req.body);
    const created = await createOrganization.execute({ actor, id: body.id, name: body.name, seatLimit: body.seatLimit ?? undefined });
    res.status(201).json({ ...present(created), zedToken: created.zedToken });
  });

  router.get("/v1/orgs/:org", async (req, res) => {
    const actor = actorOf(req);
    const { org } = parse(OrgParams, req.params, "path");
    res.json(present(await getOrganization.execute({ actor, orgId: org })));
  });

  router.patch("/v1/orgs/:org", async (req, res) => {
    const actor = actorOf(req);
    const { org } = parse(OrgParams, req.params, "path");
    const changes = parse(UpdateBody, req.body);
    const updated = await updateOrganization.execute({ actor, orgId: org, changes });
    res.json({ ...present(updated), zedToken: updated.zedToken });
  });

  router.delete("/v1/orgs/:org", async (req, res) => {
    const actor = actorOf(req);
    const { org } = parse(OrgParams, req.params, "path");
    res.json({ id: org, ...(await deleteOrganization.execute({ actor, orgId: org })) });
  });

  router.get("/v1/orgs/:org/members", async (req, res) => {
    const actor = actorOf(req);
    const { org } = parse(OrgParams, req.params, "path");
    const query = parse(ListQuery, req.query, "query");
    const page = await listOrgMembers.execute({ actor, orgId: org, ...query });
    res.json({ members: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
  });

  router.put("/v1/orgs/:org/members/:user", async (req, res) => {
    const actor = actorOf(req);
    const { org, user } = parse(MemberParams, req.params, "path");
    const body = parse(MemberBody, req.body);
    res.json(await setOrgMember.execute({ actor, orgId: org, userId: user, role: body.role, scopes: body.scopes }));
  });

  router.delete("/v1/orgs/:org/members/:user", async (req, res) => {
    const actor = actorOf(req);
    const { org, user } = parse(MemberParams, req.params, "path");
    res.json(await removeOrgMember.execute({ actor, orgId: org, userId: user }));
  });

  router.use(groupRoutes(useCases));
  router.use(roleRoutes(useCases));
  return router;
}
