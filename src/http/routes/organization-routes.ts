// organization-routes: organizations and their members (docs/api.md), scope `manage` with
// X-Actor. It also mounts the group and custom-role routers, which share its per-organization
// locks, so the composition root registers one router for the whole organization area.
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import type { OrganizationView } from "../../domain/organizations/create-organization.js";
import { ORG_AREAS, ORG_ROLES } from "../../domain/model.js";
import { actorOf, requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { Cursor, Limit, ProductId, TypedId, parse } from "../validation.js";
import { MAX_FEATURES } from "../../domain/organizations/set-org-features.js";
import { MAX_ACCESS_PROJECTS } from "../../domain/organizations/set-member-access.js";
import { ScopeLevels } from "./project-routes.js";
import { groupRoutes } from "./group-routes.js";
import { roleRoutes } from "./role-routes.js";

const Name = z.string().trim().min(1).max(200);
const ListQuery = z.object({ limit: Limit(1000).default(100), cursor: Cursor.optional() }).strict();
const SeatLimit = z.number().int().positive();

const CreateBody = z.object({ id: ProductId, name: Name.optional(), seatLimit: SeatLimit.nullable().optional() }).strict();
const UpdateBody = z
  .object({ name: Name.optional(), seatLimit: SeatLimit.nullable().optional(), customRoles: z.boolean().optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.seatLimit !== undefined || b.customRoles !== undefined, { message: "give name, seatLimit or customRoles" });
const Level = z.enum(["none", "view", "full"]);
const Scopes = z.object(Object.fromEntries(ORG_AREAS.map((area) => [area, Level.optional()])) as Record<(typeof ORG_AREAS)[number], z.ZodOptional<typeof Level>>).strict();
const MemberBody = z.object({ role: z.enum(ORG_ROLES), scopes: Scopes.optional() }).strict();
const OrgParams = z.object({ org: TypedId("organization") }).strict();
const MemberParams = z.object({ org: TypedId("organization"), user: TypedId("user") }).strict();
const FeaturesBody = z.object({ features: z.array(z.string().max(80)).max(MAX_FEATURES) }).strict();
/** ProjectAccess is one project of a member's access (rule 14): a role and per-project scopes. */
export const ProjectAccess = z.object({ project: TypedId("project"), role: z.string().min(1).max(200), scopes: ScopeLevels.optional() }).strict();
const AccessBody = z.object({ role: z.enum(ORG_ROLES), scopes: Scopes.optional(), projects: z.array(ProjectAccess).max(MAX_ACCESS_PROJECTS) }).strict();

const present = (org: OrganizationView) => ({
  id: org.id,
  name: org.name ?? null,
  seatLimit: org.seatLimit ?? null,
  customRoles: org.customRoles,
  createdAt: org.createdAt.toISOString(),
});

/** organizationRouteDocs documents these routes in /openapi.json from the schemas above. */
export function organizationRouteDocs(): RouteDoc[] {
  const tag = "Organizations";
  const base = { tag, scope: "manage", actor: true } as const;
  return [
    { ...base, method: "post", path: "/v1/orgs", status: 201, summary: "Create an organization; the actor becomes its owner", body: CreateBody, example: { id: "acme", name: "Acme Inc.", seatLimit: 50 } },
    {
      ...base,
      method: "get",
      path: "/v1/orgs/:org",
      summary: "Read an organization (needs view: any member): settings, feature keys and seats {limit, members, pending, available}",
    },
    {
      ...base,
      method: "patch",
      path: "/v1/orgs/:org",
      summary: "Change settings: the name (general: needs manage_general), the seat limit and customRoles (billing: needs manage_billing)",
      description: "customRoles false stops new custom roles and new grants of them (403 plan_required); existing holders keep them.",
      body: UpdateBody,
      example: { name: "Acme Corporation", seatLimit: 100, customRoles: true },
    },
    { ...base, method: "get", path: "/v1/orgs/:org/features", summary: "The organization's feature keys, the per-project scopes besides the settings scopes (needs view)" },
    {
      ...base,
      method: "put",
      path: "/v1/orgs/:org/features",
      summary: "Set the organization's feature keys (needs manage_general); each becomes a per-project scope checkable as view_<key> / manage_<key> on its projects",
      description: "Keys match [a-z][a-z0-9_]{0,62}, do not start with settings_ and do not clash with a project permission (members, settings, admins, content_access): else 422 invalid_scope naming the field. A key left out is dropped with every scope set on it.",
      body: FeaturesBody,
      example: { features: ["analytics", "reports"] },
    },
    { ...base, method: "delete", path: "/v1/orgs/:org", summary: "Delete the organization and every relationship naming it (owners only: delete)" },
    {
      ...base,
      method: "get",
      path: "/v1/orgs/:org/members",
      summary: "The member directory (needs view_members), paged: {user, email?, role, scopes, projects: [{project, role}], joinedAt}",
      description: "projects lists the roles the member holds directly on the organization's projects; email is the address they proved accepting an e-mail invitation; joinedAt is null for members from before it was recorded.",
      query: ListQuery,
    },
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
      method: "put",
      path: "/v1/orgs/:org/members/:user/access",
      summary: "Set a member's whole access in one atomic write: org role and scopes, and a role and per-project scopes on each listed project; projects left out lose their access there",
      description: "Each change needs what it needs alone (PUT members on the organization and on each project; removal from a project as DELETE /v1/projects/:project/members/:subject): 403 and nothing written otherwise. Every project must be one of the organization's (422 not_in_organization). Org scopes left out take the defaults (general view, the rest none); per-project scopes left out follow the role.",
      body: AccessBody,
      example: { role: "member", scopes: { projects: "view" }, projects: [{ project: "apollo", role: "editor", scopes: { settings_members: "view", analytics: "full" } }] },
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
  const { createOrganization, getOrganization, updateOrganization, deleteOrganization, listOrgMembers, setOrgMember, removeOrgMember, listOrgFeatures, setOrgFeatures, setMemberAccess } = useCases;

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
    const found = await getOrganization.execute({ actor, orgId: org });
    res.json({ ...present(found), features: found.features, seats: found.seats });
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

  router.put("/v1/orgs/:org/members/:user/access", async (req, res) => {
    const actor = actorOf(req);
    const { org, user } = parse(MemberParams, req.params, "path");
    const body = parse(AccessBody, req.body);
    res.json(await setMemberAccess.execute({ actor, orgId: org, userId: user, role: body.role, scopes: body.scopes, projects: body.projects }));
  });

  router.get("/v1/orgs/:org/features", async (req, res) => {
    const actor = actorOf(req);
    const { org } = parse(OrgParams, req.params, "path");
    res.json(await listOrgFeatures.execute({ actor, orgId: org }));
  });

  router.put("/v1/orgs/:org/features", async (req, res) => {
    const actor = actorOf(req);
    const { org } = parse(OrgParams, req.params, "path");
    const body = parse(FeaturesBody, req.body);
    res.json(await setOrgFeatures.execute({ actor, orgId: org, features: body.features }));
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
