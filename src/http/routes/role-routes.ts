// role-routes: an organization's custom roles (rule 7), scope `manage` with X-Actor.
// Mounted by organization-routes, whose locks it shares.
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import type { CustomRoleView } from "../../domain/roles/create-custom-role.js";
import { actorOf, requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { Cursor, Limit, ProductId, TypedId, parse } from "../validation.js";

const Name = z.string().trim().min(1).max(200);
const ListQuery = z.object({ limit: Limit(1000).default(100), cursor: Cursor.optional() }).strict();
// Which permission names are allowed is a domain rule (422 invalid_role); here only the shape.
const Permissions = z.array(z.string().min(1).max(64)).max(64);
const CreateBody = z.object({ id: ProductId, name: Name, permissions: Permissions }).strict();
const UpdateBody = z
  .object({ name: Name.optional(), permissions: Permissions.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.permissions !== undefined, { message: "give name or permissions" });
const OrgParams = z.object({ org: TypedId("organization") }).strict();
const RoleParams = z.object({ role: TypedId("role") }).strict();

const present = (r: CustomRoleView) => ({ id: r.id, organization: r.organization, name: r.name ?? null, permissions: r.permissions });

/** roleRouteDocs documents these routes in /openapi.json from the schemas above. */
export function roleRouteDocs(): RouteDoc[] {
  const tag = "Custom roles";
  const base = { tag, scope: "manage", actor: true } as const;
  const permissions = "Permissions come from view, view_members, comment, create, edit, delete, manage_members, manage_settings (others: 422 invalid_role).";
  return [
    {
      ...base,
      method: "post",
      path: "/v1/orgs/:org/roles",
      status: 201,
      summary: "Create a custom role in the organization (needs manage_roles)",
      description: permissions,
      body: CreateBody,
      example: { id: "auditor", name: "Auditor", permissions: ["view", "view_members", "comment"] },
    },
    { ...base, method: "get", path: "/v1/orgs/:org/roles", summary: "The organization's custom roles (needs view), paged", query: ListQuery },
    { ...base, method: "get", path: "/v1/roles/:role", summary: "Read a custom role (needs view)" },
    {
      ...base,
      method: "put",
      path: "/v1/roles/:role",
      summary: "Rename a custom role or replace its permissions; every holder's access changes at once (needs manage)",
      description: permissions,
      body: UpdateBody,
      example: { permissions: ["view", "view_members", "comment", "edit"] },
    },
    { ...base, method: "delete", path: "/v1/roles/:role", summary: "Delete a custom role and its bindings on projects (needs manage)" },
  ];
}

export function roleRoutes(useCases: UseCases): Router {
  const { createCustomRole, listCustomRoles, getCustomRole, updateCustomRole, deleteCustomRole } = useCases;

  const router = Router();
  router.use("/v1/orgs/:org/roles", requireScope("manage"));
  router.use("/v1/roles", requireScope("manage"));

  router.post("/v1/orgs/:org/roles", async (req, res) => {
    const actor = actorOf(req);
    const { org } = parse(OrgParams, req.params, "path");
    const body = parse(CreateBody, req.body);
    const created = await createCustomRole.execute({ actor, orgId: org, ...body });
    res.status(201).json({ ...present(created), zedToken: created.zedToken });
  });

  router.get("/v1/orgs/:org/roles", async (req, res) => {
    const actor = actorOf(req);
    const { org } = parse(OrgParams, req.params, "path");
    const page = await listCustomRoles.execute({ actor, orgId: org, ...parse(ListQuery, req.query, "query") });
    res.json({ roles: page.items.map(present), ...(page.cursor ? { cursor: page.cursor } : {}) });
  });

  router.get("/v1/roles/:role", async (req, res) => {
    const actor = actorOf(req);
    const { role } = parse(RoleParams, req.params, "path");
    res.json(present(await getCustomRole.execute({ actor, roleId: role })));
  });

  router.put("/v1/roles/:role", async (req, res) => {
    const actor = actorOf(req);
    const { role } = parse(RoleParams, req.params, "path");
    const body = parse(UpdateBody, req.body);
    const updated = await updateCustomRole.execute({ actor, roleId: role, ...body });
    res.json({ ...present(updated), zedToken: updated.zedToken });
  });

  router.delete("/v1/roles/:role", async (req, res) => {
    const actor = actorOf(req);
    const { role } = parse(RoleParams, req.params, "path");
    res.json({ id: role, ...(await deleteCustomRole.execute({ actor, roleId: role })) });
  });

  return router;
}
