// project-routes: projects, their members and roles, and "what can this subject do here"
// (scope `manage`, on behalf of X-Actor). Routes only parse, call one use-case and map.
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import type { MemberSubject } from "../../domain/projects/project-subject.js";
import { actorOf, requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { SCOPE_LEVELS } from "../../domain/projects/project-scopes.js";
import { Cursor, Limit, ProductId, TypedId, parse } from "../validation.js";

const ID = "[A-Za-z0-9_-]{1,128}";
const OWNER = new RegExp(`^(organization|user):(${ID})$`);
const MEMBER = new RegExp(`^(user|group):(${ID})$|^group:(${ID})#member$`);

/** MemberSubjectParam reads `user:x`, `group:g` or `group:g#member` (URL-encoded `#`). */
export const MemberSubjectParam = z
  .string()
  .regex(MEMBER, "must be user:<id> or group:<id>")
  .transform((s): MemberSubject => {
    const m = MEMBER.exec(s)!;
    return m[3] ? { type: "group", id: m[3] } : { type: m[1] as MemberSubject["type"], id: m[2]! };
  });

/** ExpiresAt is an RFC 3339 time with an offset; the grant ends by itself then. */
export const ExpiresAt = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .optional();

const CreateBody = z
  .object({
    id: ProductId,
    owner: z
      .string()
      .regex(OWNER, "must be organization:<id> or user:<id>")
      .transform((s) => {
        const m = OWNER.exec(s)!;
        return { kind: m[1] as "organization" | "user", id: m[2]! };
      }),
    name: z.string().min(1).max(200).optional(),
  })
  .strict();

/** ScopeLevels is a member's explicit per-project scopes: `{"<scope>": "none" | "view" | "full"}` (rule 13). */
export const ScopeLevels = z.record(z.string().min(1).max(80), z.enum(SCOPE_LEVELS));
const GrantBody = z.object({ role: z.string().min(1).max(200).optional(), scopes: ScopeLevels.optional(), expiresAt: ExpiresAt }).strict();
const UpdateBody = z
  .object({ name: z.string().trim().min(1).max(200).optional(), defaultRole: z.string().min(1).max(200).optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.defaultRole !== undefined, { message: "give name or defaultRole" });

export const PageQuery = z.object({ limit: Limit(1000).default(100), cursor: Cursor.optional() }).strict();

/** projectRouteDocs documents these routes in /openapi.json from the schemas above. */
export function projectRouteDocs(): RouteDoc[] {
  const tag = "Projects";
  const base = { tag, scope: "manage", actor: true } as const;
  const subject = "`:subject` is user:<id> or group:<id> (groups on organization projects only: else 422 groups_not_allowed).";
  return [
    {
      ...base,
      method: "post",
      path: "/v1/projects",
      status: 201,
      summary: "Create a project owned by an organization (needs create_project) or by the actor (personal); the actor becomes its admin",
      body: CreateBody,
      example: { id: "apollo", owner: "organization:acme", name: "Apollo" },
    },
    { ...base, method: "get", path: "/v1/projects/:project", summary: "Read a project: name, owner, defaultRole (needs view)" },
    {
      ...base,
      method: "patch",
      path: "/v1/projects/:project",
      summary: "Change the project's name or defaultRole, the role of a member added without one (needs manage_settings_general)",
      description: "defaultRole is guest, viewer, editor, manager or role:<customRoleId> (never admin: 422 invalid_role); it starts as editor.",
      body: UpdateBody,
      example: { name: "Apollo", defaultRole: "viewer" },
    },
    { ...base, method: "delete", path: "/v1/projects/:project", summary: "Delete the project, its resources and every relationship naming them (needs delete_project)" },
    { ...base, method: "get", path: "/v1/projects/:project/members", summary: "Members (users and groups) with their role (needs view_members), paged", query: PageQuery },
    {
      ...base,
      method: "put",
      path: "/v1/projects/:project/members/:subject",
      summary: "Add a member or change their role and per-project scopes (needs manage_members; granting admin or changing an admin needs manage_admins)",
      description: `${subject} role is admin, manager, editor, viewer, guest or role:<customRoleId>; without one a member keeps theirs and a new member gets the project's defaultRole. In an organization's project a user must be an organization member (422 not_org_member). scopes (organization projects only) replaces the subject's explicit per-project scopes: settings_general, settings_members, settings_data_sources, settings_publishing and the organization's feature keys, each none, view or full; a scope left out follows the role (422 invalid_scope for any other). On a personal project only an owner on the scale plan grants (403 plan_required).`,
      body: GrantBody,
      example: { role: "editor", scopes: { settings_members: "view", analytics: "full" }, expiresAt: "2030-01-01T00:00:00Z" },
    },
    {
      ...base,
      method: "delete",
      path: "/v1/projects/:project/members/:subject",
      summary: "Remove a member's role (needs manage_members; removing an admin needs manage_admins)",
      description: subject,
    },
    { ...base, method: "get", path: "/v1/projects/:project/permissions/:subject", summary: "Every project permission the subject holds, in one call (needs view_members, unless asking about oneself)", description: subject },
  ];
}

export function projectRoutes(useCases: UseCases): Router {
  const { createProject, getProject, updateProject, deleteProject, listProjectMembers: listMembers, grantProjectRole: grantRole, removeProjectMember: removeMember, readProjectPermissions: readPermissions } = useCases;
  const router = Router();
  const manage = requireScope("manage");

  const projectId = (params: Record<string, unknown>) => parse(TypedId("project"), params.project, "path.project");
  const subjectOf = (params: Record<string, unknown>) => parse(MemberSubjectParam, params.subject, "path.subject");

  router.post("/v1/projects", manage, async (req, res) => {
    const actor = actorOf(req);
    const body = parse(CreateBody, req.body);
    res.status(201).json(await createProject.execute({ actor, ...body }));
  });

  router.get("/v1/projects/:project", manage, async (req, res) => {
    res.json(await getProject.execute({ actor: actorOf(req), projectId: projectId(req.params) }));
  });

  router.patch("/v1/projects/:project", manage, async (req, res) => {
    const actor = actorOf(req);
    const id = projectId(req.params);
    const changes = parse(UpdateBody, req.body);
    res.json(await updateProject.execute({ actor, projectId: id, changes }));
  });

  router.delete("/v1/projects/:project", manage, async (req, res) => {
    res.json(await deleteProject.execute({ actor: actorOf(req), projectId: projectId(req.params) }));
  });

  router.get("/v1/projects/:project/members", manage, async (req, res) => {
    const actor = actorOf(req);
    const query = parse(PageQuery, req.query, "query");
    res.json(await listMembers.execute({ actor, projectId: projectId(req.params), ...query }));
  });

  router.put("/v1/projects/:project/members/:subject", manage, async (req, res) => {
    const actor = actorOf(req);
    const input = { actor, projectId: projectId(req.params), subject: subjectOf(req.params) };
    const body = parse(GrantBody, req.body);
    res.json(await grantRole.execute({ ...input, role: body.role, scopes: body.scopes, expiresAt: body.expiresAt }));
  });

  router.delete("/v1/projects/:project/members/:subject", manage, async (req, res) => {
    const actor = actorOf(req);
    res.json(await removeMember.execute({ actor, projectId: projectId(req.params), subject: subjectOf(req.params) }));
  });

  router.get("/v1/projects/:project/permissions/:subject", manage, async (req, res) => {
    const actor = actorOf(req);
    res.json(await readPermissions.execute({ actor, projectId: projectId(req.params), subject: subjectOf(req.params) }));
  });

  return router;
}
