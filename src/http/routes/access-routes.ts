// access-routes: "who has access and why" on a project, a resource or an organization
// (scope `manage`, on behalf of X-Actor), paged. Routes only parse, call one use-case and map.
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import { ORG_PERMISSIONS } from "../../domain/access/list-org-access.js";
import { RESOURCE_PERMISSIONS } from "../../domain/access/list-resource-access.js";
import { CONTAINER_PERMISSIONS } from "../../domain/content/content-graph.js";
import { PROJECT_PERMISSIONS } from "../../domain/model.js";
import { actorOf, requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { Cursor, TypedId, parse } from "../validation.js";

/** pageFields are the paging fields of every access list's query. */
const pageFields = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Cursor.optional(),
};

const accessQuery = <P extends readonly [string, ...string[]]>(permissions: P) =>
  z
    .object({
      permission: z.enum(permissions).default(permissions[0]),
      ...pageFields,
    })
    .strict();

// A project's permissions, and its per-project scopes (rule 13): view_<scope> / manage_<scope>.
const ProjectQuery = z
  .object({
    permission: z
      .union([z.enum(PROJECT_PERMISSIONS), z.string().regex(/^(view|manage)_[a-z][a-z0-9_]{0,62}$/, "must be a project permission, or view_<scope> / manage_<scope>")])
      .default(PROJECT_PERMISSIONS[0]),
    ...pageFields,
  })
  .strict();
const ResourceQuery = accessQuery(RESOURCE_PERMISSIONS);
const OrgQuery = accessQuery(ORG_PERMISSIONS);
const ContainerQuery = accessQuery(CONTAINER_PERMISSIONS);

/** accessRouteDocs documents these routes in /openapi.json from the schemas above. */
export function accessRouteDocs(): RouteDoc[] {
  const tag = "Access";
  const base = { tag, scope: "manage", actor: true } as const;
  const why = "Each entry names the subject and how it holds the permission: direct role, group, custom role or organization bypass.";
  return [
    {
      ...base,
      method: "get",
      path: "/v1/projects/:project/access",
      summary: "Who holds a permission on the project, and through what (needs view_members), paged",
      description: `${why} The permission may be a per-project scope, view_<scope> or manage_<scope> (settings scopes and the organization's feature keys; 422 invalid_scope for others): "full on settings_members (scope)", "view on analytics as viewer".`,
      query: ProjectQuery,
    },
    { ...base, method: "get", path: "/v1/resources/:resource/access", summary: "Who holds a permission on the resource, and through what (needs view_members on its project), paged", description: why, query: ResourceQuery },
    { ...base, method: "get", path: "/v1/orgs/:org/access", summary: "Who holds a permission on the organization, and through what (needs view_members), paged", description: why, query: OrgQuery },
    ...(["workspace", "folder"] as const).map(
      (kind): RouteDoc => ({
        ...base,
        method: "get",
        path: `/v1/${kind}s/:${kind}/access`,
        summary: `Who holds a permission on the ${kind}, and through what: a grant on it or above it, a push, or the project (needs view_members on its project), paged`,
        description: `${why} A user removed from the project (rule 15) is never listed.`,
        query: ContainerQuery,
      }),
    ),
  ];
}

export function accessRoutes(useCases: UseCases): Router {
  const { listProjectAccess: projectAccess, listResourceAccess: resourceAccess, listOrgAccess: orgAccess, listContainerAccess: containerAccess } = useCases;
  const router = Router();
  const manage = requireScope("manage");

  router.get("/v1/projects/:project/access", manage, async (req, res) => {
    const actor = actorOf(req);
    const projectId = parse(TypedId("project"), req.params.project, "path.project");
    const query = parse(ProjectQuery, req.query, "query");
    res.json(await projectAccess.execute({ actor, projectId, ...query }));
  });

  router.get("/v1/resources/:resource/access", manage, async (req, res) => {
    const actor = actorOf(req);
    const resourceId = parse(TypedId("resource"), req.params.resource, "path.resource");
    const query = parse(ResourceQuery, req.query, "query");
    res.json(await resourceAccess.execute({ actor, resourceId, ...query }));
  });

  for (const kind of ["workspace", "folder"] as const) {
    router.get(`/v1/${kind}s/:${kind}/access`, manage, async (req, res) => {
      const actor = actorOf(req);
      const id = parse(TypedId(kind), req.params[kind], `path.${kind}`);
      const query = parse(ContainerQuery, req.query, "query");
      res.json(await containerAccess.execute({ actor, container: { type: kind, id }, ...query }));
    });
  }

  router.get("/v1/orgs/:org/access", manage, async (req, res) => {
    const actor = actorOf(req);
    const orgId = parse(TypedId("organization"), req.params.org, "path.org");
    const query = parse(OrgQuery, req.query, "query");
    res.json(await orgAccess.execute({ actor, orgId, ...query }));
  });

  return router;
}
