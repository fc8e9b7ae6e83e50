// resource-routes: register resources in projects and share them with users and groups
// (scope `manage`, on behalf of X-Actor). Routes only parse, call one use-case and map.
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import { actorOf, requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { TypedId, parse } from "../validation.js";
import { ContainerRefString } from "./content-routes.js";
import { ExpiresAt, MemberSubjectParam } from "./project-routes.js";

const RegisterBody = z.object({ project: TypedId("project"), parent: ContainerRefString.nullable().optional() }).strict();
const ShareBody = z.object({ role: z.string().min(1).max(200), expiresAt: ExpiresAt }).strict();

/** resourceRouteDocs documents these routes in /openapi.json from the schemas above. */
export function resourceRouteDocs(): RouteDoc[] {
  const tag = "Resources";
  const base = { tag, scope: "manage", actor: true } as const;
  const subject = "`:subject` is user:<id> or group:<id>; rules 4 and 5 apply as for project roles.";
  return [
    {
      ...base,
      method: "put",
      path: "/v1/resources/:resource",
      status: 201,
      summary: "Register a resource in a project (needs create on the project); 201 when new, 200 when already there",
      description:
        "`parent` (workspace:<id> or folder:<id> of the same project, else 422 invalid_parent) places it in the content tree and needs create there; a new parent for a registered resource is a move (needs edit on it); null moves it back to the project's root; left out, it stays where it is.",
      body: RegisterBody,
      example: { project: "apollo", parent: "folder:reports" },
    },
    { ...base, method: "delete", path: "/v1/resources/:resource", summary: "Delete a resource and every relationship naming it (needs delete)" },
    {
      ...base,
      method: "put",
      path: "/v1/resources/:resource/members/:subject",
      summary: "Share the resource directly: role viewer or editor (needs manage_access: the project's manage_members, or an editor grant on it or above held by a project editor+)",
      description: subject,
      body: ShareBody,
      example: { role: "viewer", expiresAt: "2030-01-01T00:00:00Z" },
    },
    { ...base, method: "delete", path: "/v1/resources/:resource/members/:subject", summary: "End a direct share (needs manage_access)", description: subject },
  ];
}

export function resourceRoutes(useCases: UseCases): Router {
  const { registerResource, shareResource, unshareResource, deleteResource } = useCases;
  const router = Router();
  const manage = requireScope("manage");

  const resourceId = (params: Record<string, unknown>) => parse(TypedId("resource"), params.resource, "path.resource");
  const subjectOf = (params: Record<string, unknown>) => parse(MemberSubjectParam, params.subject, "path.subject");

  router.put("/v1/resources/:resource", manage, async (req, res) => {
    const actor = actorOf(req);
    const id = resourceId(req.params);
    const body = parse(RegisterBody, req.body);
    const result = await registerResource.execute({ actor, resourceId: id, projectId: body.project, parent: body.parent });
    res.status(result.created ? 201 : 200).json(result);
  });

  router.delete("/v1/resources/:resource", manage, async (req, res) => {
    res.json(await deleteResource.execute({ actor: actorOf(req), resourceId: resourceId(req.params) }));
  });

  router.put("/v1/resources/:resource/members/:subject", manage, async (req, res) => {
    const actor = actorOf(req);
    const input = { actor, resourceId: resourceId(req.params), subject: subjectOf(req.params) };
    const body = parse(ShareBody, req.body);
    res.json(await shareResource.execute({ ...input, role: body.role, expiresAt: body.expiresAt }));
  });

  router.delete("/v1/resources/:resource/members/:subject", manage, async (req, res) => {
    const actor = actorOf(req);
    res.json(await unshareResource.execute({ actor, resourceId: resourceId(req.params), subject: subjectOf(req.params) }));
  });

  return router;
}
