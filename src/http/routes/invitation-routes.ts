// invitation-routes: invitations to organizations and projects (rule 8), scope `manage` with
// X-Actor (and X-Actor-Email to accept e-mail invitations). A bulk invite answers 200 with one
// outcome per invitee — invited, or the problem that invitee hit — and fails as a whole only
// for what concerns every invitee (bad body, unknown target, the actor's permission, the plan).
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import type { InviteOutcome } from "../../domain/invitations/invitation-view.js";
import { ORG_AREAS, ORG_ROLES } from "../../domain/model.js";
import { actorOf, requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { problemFor } from "../problem.js";
import { Cursor, Limit, ProductId, TypedId, parse } from "../validation.js";
import { ProjectAccess } from "./organization-routes.js";
import { MAX_ACCESS_PROJECTS } from "../../domain/organizations/set-member-access.js";

/** MAX_INVITEES per bulk request. */
export const MAX_INVITEES = 100;

// Invitees are read one by one in the domain, so one unreadable entry fails alone.
const Invitees = z.array(z.unknown()).min(1).max(MAX_INVITEES);
const Level = z.enum(["none", "view", "full"]);
const Scopes = z
  .object(Object.fromEntries(ORG_AREAS.map((area) => [area, Level.optional()])) as Record<(typeof ORG_AREAS)[number], z.ZodOptional<typeof Level>>)
  .strict();
const OrgInviteBody = z.object({ invitees: Invitees, role: z.enum(ORG_ROLES), scopes: Scopes.optional(), projects: z.array(ProjectAccess).max(MAX_ACCESS_PROJECTS).optional() }).strict();
const ProjectInviteBody = z.object({ invitees: Invitees, role: z.string().min(1).max(200) }).strict();
const ListQuery = z
  .object({
    status: z.enum(["pending", "accepted", "declined", "revoked", "expired"]).optional(),
    limit: Limit(1000).default(100),
    cursor: Cursor.optional(),
  })
  .strict();

/** present maps each outcome; a failed invitee carries the problem it would have answered alone. */
function present(outcomes: InviteOutcome[]) {
  const results = outcomes.map((o) => {
    if ("invitation" in o) return { invitee: o.invitee, status: "invited" as const, invitation: o.invitation };
    const { status, code, detail, field } = problemFor(o.failure);
    return { invitee: o.invitee, status: "failed" as const, error: { status, code, detail, ...(field ? { field } : {}) } };
  });
  const invited = results.filter((r) => r.status === "invited").length;
  return { results, invited, failed: results.length - invited };
}

/** invitationRouteDocs documents these routes in /openapi.json from the schemas above. */
export function invitationRouteDocs(): RouteDoc[] {
  const base = { tag: "Invitations", scope: "manage", actor: true } as const;
  const bulk = "200 with `results`: per invitee `{invitee, status: \"invited\", invitation}` or `{invitee, status: \"failed\", error: {status, code, detail}}` (409 already_member, invitation_pending, seat_limit_reached; 422 not_org_member, groups_not_allowed; 400 invalid_request).";
  return [
    {
      ...base,
      method: "post",
      path: "/v1/orgs/:org/invitations",
      summary: "Invite users (ids or e-mail addresses) to the organization (manage_members; admin: manage_admins; owner: manage_owners), optionally with project access; each pending invitation holds a seat",
      description: `${bulk} projects (rule 14): a role and per-project scopes on projects of the organization (else 422 not_in_organization), each one the sender may grant there (else 403, nothing sent); accepting grants the membership, org scopes and all of it in one atomic write.`,
      body: OrgInviteBody,
      example: { invitees: ["bob", "user:carol", "dana@example.com"], role: "member", scopes: { projects: "full" }, projects: [{ project: "apollo", role: "editor", scopes: { analytics: "view" } }] },
    },
    {
      ...base,
      method: "post",
      path: "/v1/projects/:project/invitations",
      summary: "Invite users, e-mail addresses or groups to the project with a role (manage_members; admin: manage_admins; personal projects: owner on the scale plan)",
      description: bulk,
      body: ProjectInviteBody,
      example: { invitees: ["user:bob", "group:eng"], role: "editor" },
    },
    { ...base, method: "get", path: "/v1/orgs/:org/invitations", summary: "The organization's invitations, by status (needs view_members), paged", query: ListQuery },
    { ...base, method: "get", path: "/v1/projects/:project/invitations", summary: "The project's invitations, by status (needs view_members), paged", query: ListQuery },
    { ...base, method: "get", path: "/v1/invitations", summary: "The actor's own pending invitations (by user id, and by X-Actor-Email)" },
    { ...base, method: "post", path: "/v1/invitations/:id/accept", summary: "Accept (the invitee only): the role is granted and the invitation marked accepted, together" },
    { ...base, method: "post", path: "/v1/invitations/:id/decline", summary: "Decline (the invitee only)" },
    { ...base, method: "delete", path: "/v1/invitations/:id", summary: "Revoke (anyone who could have sent it)" },
  ];
}

export function invitationRoutes(useCases: UseCases): Router {
  const { createOrgInvitations, createProjectInvitations, listInvitations, listReceivedInvitations: listReceived, acceptInvitation, declineInvitation, revokeInvitation } = useCases;

  const router = Router();
  const manage = requireScope("manage");
  const param = (params: Record<string, unknown>, name: string) => parse(ProductId, params[name], `path.${name}`);
  const ref = (params: Record<string, unknown>, name: "org" | "project") => parse(TypedId(name === "org" ? "organization" : "project"), params[name], `path.${name}`);

  router.post("/v1/orgs/:org/invitations", manage, async (req, res) => {
    const actor = actorOf(req);
    const orgId = ref(req.params, "org");
    const body = parse(OrgInviteBody, req.body);
    const { results, zedToken } = await createOrgInvitations.execute({ actor, orgId, invitees: body.invitees, role: body.role, scopes: body.scopes, projects: body.projects });
    res.json({ ...present(results), zedToken });
  });

  router.post("/v1/projects/:project/invitations", manage, async (req, res) => {
    const actor = actorOf(req);
    const projectId = ref(req.params, "project");
    const body = parse(ProjectInviteBody, req.body);
    const { results, zedToken } = await createProjectInvitations.execute({ actor, projectId, invitees: body.invitees, role: body.role });
    res.json({ ...present(results), zedToken });
  });

  router.get("/v1/orgs/:org/invitations", manage, async (req, res) => {
    const actor = actorOf(req);
    const targetId = ref(req.params, "org");
    const query = parse(ListQuery, req.query, "query");
    res.json(await listInvitations.execute({ actor, targetType: "organization", targetId, ...query }));
  });

  router.get("/v1/projects/:project/invitations", manage, async (req, res) => {
    const actor = actorOf(req);
    const targetId = ref(req.params, "project");
    const query = parse(ListQuery, req.query, "query");
    res.json(await listInvitations.execute({ actor, targetType: "project", targetId, ...query }));
  });

  router.get("/v1/invitations", manage, async (req, res) => {
    res.json(await listReceived.execute({ actor: actorOf(req) }));
  });

  router.post("/v1/invitations/:id/accept", manage, async (req, res) => {
    const actor = actorOf(req);
    res.json(await acceptInvitation.execute({ actor, invitationId: param(req.params, "id") }));
  });

  router.post("/v1/invitations/:id/decline", manage, async (req, res) => {
    const actor = actorOf(req);
    res.json(await declineInvitation.execute({ actor, invitationId: param(req.params, "id") }));
  });

  router.delete("/v1/invitations/:id", manage, async (req, res) => {
    const actor = actorOf(req);
    res.json(await revokeInvitation.execute({ actor, invitationId: param(req.params, "id") }));
  });

  return router;
}
