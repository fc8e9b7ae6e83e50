// content-routes: workspaces and folders of a project, their shares, pushes to every workspace,
// moves and deletes (rule 12; scope `manage`, on behalf of X-Actor). Routes only parse, call one
// use-case and map.
import { Router } from "express";
import { z } from "zod";
import type { ContainerRef } from "../../domain/content/content-graph.js";
import type { UseCases } from "../../domain/use-cases.js";
import { actorOf, requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { ProductId, parse } from "../validation.js";
import { ExpiresAt, MemberSubjectParam, PageQuery } from "./project-routes.js";

const CONTAINER = /^(workspace|folder):([A-Za-z0-9_-]{1,128})$/;

/** ContainerRefString reads `workspace:<id>` or `folder:<id>`: where a folder or resource lives. */
export const ContainerRefString = z
  .string()
  .max(300)
  .regex(CONTAINER, "must be workspace:<id> or folder:<id>")
  .transform((s): ContainerRef => {
    const m = CONTAINER.exec(s)!;
    return { type: m[1] as ContainerRef["type"], id: m[2]! };
  });

const Name = z.string().min(1).max(200);
const CreateWorkspaceBody = z.object({ id: ProductId, name: Name.optional() }).strict();
const CreateFolderBody = z.object({ id: ProductId, parent: ContainerRefString, name: Name.optional() }).strict();
const UpdateFolderBody = z
  .object({ parent: ContainerRefString.optional(), name: Name.optional() })
  .strict()
  .refine((b) => b.parent !== undefined || b.name !== undefined, "give parent, name or both");
const ShareBody = z.object({ role: z.string().min(1).max(200), expiresAt: ExpiresAt }).strict();

/** contentRouteDocs documents these routes in /openapi.json from the schemas above. */
export function contentRouteDocs(): RouteDoc[] {
  const tag = "Content";
  const base = { tag, scope: "manage", actor: true } as const;
  const subject = "`:subject` is user:<id> or group:<id>; rules 4 and 5 apply as for project roles. The grant reaches everything below.";
  const container = (kind: "workspace" | "folder"): RouteDoc[] => {
    const path = `/v1/${kind}s/:${kind}`;
    return [
      {
        ...base,
        method: "get",
        path,
        summary: `Read a ${kind}: project, name, parent and path, its own grants (members), the actor's permissions, ${kind === "folder" ? "whether it is pushed" : "what is pushed to all workspaces"}, and its children, paged (needs view)`,
        query: PageQuery,
      },
      { ...base, method: "delete", path, summary: `Delete the ${kind} with every folder and resource below it, and every relationship naming any of them (needs delete: the project's, manager+)` },
      {
        ...base,
        method: "put",
        path: `${path}/members/:subject`,
        summary: `Share the ${kind}: role viewer or editor (needs manage_access: project admins anywhere, project editors+ holding an editor grant there or above)`,
        description: subject,
        body: ShareBody,
        example: { role: "viewer", expiresAt: "2030-01-01T00:00:00Z" },
      },
      { ...base, method: "delete", path: `${path}/members/:subject`, summary: `End a subject's own grants on the ${kind} (needs manage_access)`, description: subject },
    ];
  };
  const push = (kind: "folder" | "resource"): RouteDoc[] => [
    { ...base, method: "post", path: `/v1/${kind}s/:${kind}/push`, summary: `Push the ${kind} to every workspace of its project: whoever sees a workspace sees it (view only; project admins only)` },
    { ...base, method: "delete", path: `/v1/${kind}s/:${kind}/push`, summary: `Take back a push (project admins only); 404 when it is not pushed` },
  ];
  return [
    {
      ...base,
      method: "post",
      path: "/v1/projects/:project/workspaces",
      status: 201,
      summary: "Create a workspace in the project (needs create_workspace: editor+); the creator becomes its editor",
      body: CreateWorkspaceBody,
      example: { id: "sales", name: "Sales" },
    },
    { ...base, method: "get", path: "/v1/projects/:project/workspaces", summary: "The project's workspaces the actor can view, paged", query: PageQuery },
    ...container("workspace"),
    {
      ...base,
      method: "post",
      path: "/v1/folders",
      status: 201,
      summary: "Create a folder in a workspace (needs create_folder there: manager+) or in a folder (needs edit there); the creator becomes its editor",
      description: "422 invalid_parent past 24 folder levels below the workspace.",
      body: CreateFolderBody,
      example: { id: "reports", parent: "workspace:sales", name: "Reports" },
    },
    {
      ...base,
      method: "patch",
      path: "/v1/folders/:folder",
      summary: "Move and/or rename a folder (needs edit; a move also needs create_folder on the new parent)",
      description: "422 invalid_parent when the new parent is the folder itself or below it, in another project, or would nest folders past 24 levels.",
      body: UpdateFolderBody,
      example: { parent: "folder:archive", name: "Reports 2024" },
    },
    ...container("folder"),
    ...push("folder"),
    ...push("resource"),
  ];
}

export function contentRoutes(useCases: UseCases): Router {
  const { createWorkspace, listWorkspaces, createFolder, updateFolder, getContainer, shareContent, unshareContent, pushContent, unpushContent, deleteWorkspace, deleteFolder } = useCases;
  const router = Router();
  const manage = requireScope("manage");

  const idOf = (params: Record<string, unknown>, name: string) => parse(ProductId, params[name], `path.${name}`);
  const subjectOf = (params: Record<string, unknown>) => parse(MemberSubjectParam, params.subject, "path.subject");

  router.post("/v1/projects/:project/workspaces", manage, async (req, res) => {
    const actor = actorOf(req);
    const projectId = idOf(req.params, "project");
    const body = parse(CreateWorkspaceBody, req.body);
    res.status(201).json(await createWorkspace.execute({ actor, projectId, id: body.id, name: body.name }));
  });

  router.get("/v1/projects/:project/workspaces", manage, async (req, res) => {
    const actor = actorOf(req);
    const projectId = idOf(req.params, "project");
    const page = await listWorkspaces.execute({ actor, projectId, ...parse(PageQuery, req.query, "query") });
    res.json({ workspaces: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
  });

  router.post("/v1/folders", manage, async (req, res) => {
    const actor = actorOf(req);
    const body = parse(CreateFolderBody, req.body);
    res.status(201).json(await createFolder.execute({ actor, id: body.id, parent: body.parent, name: body.name }));
  });

  router.patch("/v1/folders/:folder", manage, async (req, res) => {
    const actor = actorOf(req);
    const folderId = idOf(req.params, "folder");
    const body = parse(UpdateFolderBody, req.body);
    res.json(await updateFolder.execute({ actor, folderId, changes: body }));
  });

  for (const kind of ["workspace", "folder"] as const) {
    const path = `/v1/${kind}s/:${kind}`;
    const containerOf = (params: Record<string, unknown>): ContainerRef => ({ type: kind, id: idOf(params, kind) });

    router.get(path, manage, async (req, res) => {
      const actor = actorOf(req);
      const container = containerOf(req.params);
      res.json(await getContainer.execute({ actor, container, ...parse(PageQuery, req.query, "query") }));
    });

    router.delete(path, manage, async (req, res) => {
      const actor = actorOf(req);
      const id = idOf(req.params, kind);
      res.json(kind === "workspace" ? await deleteWorkspace.execute({ actor, workspaceId: id }) : await deleteFolder.execute({ actor, folderId: id }));
    });

    router.put(`${path}/members/:subject`, manage, async (req, res) => {
      const actor = actorOf(req);
      const input = { actor, item: containerOf(req.params), subject: subjectOf(req.params) };
      const body = parse(ShareBody, req.body);
      res.json(await shareContent.execute({ ...input, role: body.role, expiresAt: body.expiresAt }));
    });

    router.delete(`${path}/members/:subject`, manage, async (req, res) => {
      const actor = actorOf(req);
      res.json(await unshareContent.execute({ actor, item: containerOf(req.params), subject: subjectOf(req.params) }));
    });
  }

  for (const kind of ["folder", "resource"] as const) {
    const path = `/v1/${kind}s/:${kind}/push`;
    router.post(path, manage, async (req, res) => {
      res.json(await pushContent.execute({ actor: actorOf(req), item: { type: kind, id: idOf(req.params, kind) } }));
    });
    router.delete(path, manage, async (req, res) => {
      res.json(await unpushContent.execute({ actor: actorOf(req), item: { type: kind, id: idOf(req.params, kind) } }));
    });
  }

  return router;
}
