// group-routes: an organization's groups and their members (users and nested groups),
// scope `manage` with X-Actor. Mounted by organization-routes, whose locks it shares.
import { Router } from "express";
import { z } from "zod";
import type { UseCases } from "../../domain/use-cases.js";
import type { GroupMemberRef } from "../../domain/groups/add-group-member.js";
import type { GroupView } from "../../domain/groups/create-group.js";
import { actorOf, requireScope } from "../guards.js";
import type { RouteDoc } from "../openapi.js";
import { Cursor, Limit, ProductId, TypedId, parse } from "../validation.js";

const Name = z.string().trim().min(1).max(200);
const ListQuery = z.object({ limit: Limit(1000).default(100), cursor: Cursor.optional() }).strict();
const CreateBody = z.object({ id: ProductId, name: Name.optional() }).strict();
const OrgParams = z.object({ org: TypedId("organization") }).strict();
const GroupParams = z.object({ group: TypedId("group") }).strict();

const SUBJECT = /^(user|group):([A-Za-z0-9_-]{1,128})(#member)?$/;
/** A group member is `user:<id>` or `group:<id>` (`group:<id>#member` is accepted too). */
const MemberSubject = z
  .string()
  .regex(SUBJECT, "must be user:<id> or group:<id>")
  .refine((s) => !s.startsWith("user:") || !s.endsWith("#member"), "a user subject has no relation")
  .transform((s): GroupMemberRef => {
    const m = SUBJECT.exec(s)!;
    return { type: m[1] as GroupMemberRef["type"], id: m[2]! };
  });
const MemberParams = z.object({ group: TypedId("group"), subject: MemberSubject }).strict();

const presentGroup = (g: GroupView) => ({ id: g.id, organization: g.organization, name: g.name ?? null });
const presentSubject = (m: GroupMemberRef) => `${m.type}:${m.id}`;

/** groupRouteDocs documents these routes in /openapi.json from the schemas above. */
export function groupRouteDocs(): RouteDoc[] {
  const tag = "Groups";
  const base = { tag, scope: "manage", actor: true } as const;
  const subject = "`:subject` is user:<id> or group:<id> (a nested group of the same organization; URL-encode `#member` if given).";
  return [
    { ...base, method: "post", path: "/v1/orgs/:org/groups", status: 201, summary: "Create a group in the organization (needs manage_groups)", body: CreateBody, example: { id: "eng", name: "Engineering" } },
    { ...base, method: "get", path: "/v1/orgs/:org/groups", summary: "The organization's groups (needs view), paged", query: ListQuery },
    { ...base, method: "get", path: "/v1/groups/:group/members", summary: "A group's direct members, users and nested groups (needs view), paged", query: ListQuery },
    {
      ...base,
      method: "put",
      path: "/v1/groups/:group/members/:subject",
      summary: "Add a user (an organization member: else 422 not_org_member) or a nested group (needs manage)",
      description: subject,
    },
    { ...base, method: "delete", path: "/v1/groups/:group/members/:subject", summary: "Remove a direct member (needs manage)", description: subject },
    { ...base, method: "delete", path: "/v1/groups/:group", summary: "Delete the group and every relationship naming it (needs manage)" },
  ];
}

export function groupRoutes(useCases: UseCases): Router {
  const { createGroup, listGroups, addGroupMember, removeGroupMember, listGroupMembers, deleteGroup } = useCases;

  const router = Router();
  router.use("/v1/orgs/:org/groups", requireScope("manage"));
  router.use("/v1/groups", requireScope("manage"));

  router.post("/v1/orgs/:org/groups", async (req, res) => {
    const actor = actorOf(req);
    const { org } = parse(OrgParams, req.params, "path");
    const body = parse(CreateBody, req.body);
    const created = await createGroup.execute({ actor, orgId: org, id: body.id, name: body.name });
    res.status(201).json({ ...presentGroup(created), zedToken: created.zedToken });
  });

  router.get("/v1/orgs/:org/groups", async (req, res) => {
    const actor = actorOf(req);
    const { org } = parse(OrgParams, req.params, "path");
    const page = await listGroups.execute({ actor, orgId: org, ...parse(ListQuery, req.query, "query") });
    res.json({ groups: page.items.map(presentGroup), ...(page.cursor ? { cursor: page.cursor } : {}) });
  });

  router.get("/v1/groups/:group/members", async (req, res) => {
    const actor = actorOf(req);
    const { group } = parse(GroupParams, req.params, "path");
    const page = await listGroupMembers.execute({ actor, groupId: group, ...parse(ListQuery, req.query, "query") });
    res.json({ members: page.items.map((m) => ({ subject: presentSubject(m) })), ...(page.cursor ? { cursor: page.cursor } : {}) });
  });

  router.put("/v1/groups/:group/members/:subject", async (req, res) => {
    const actor = actorOf(req);
    const { group, subject } = parse(MemberParams, req.params, "path");
    const added = await addGroupMember.execute({ actor, groupId: group, member: subject });
    res.json({ group: added.group, subject: presentSubject(added.subject), zedToken: added.zedToken });
  });

  router.delete("/v1/groups/:group/members/:subject", async (req, res) => {
    const actor = actorOf(req);
    const { group, subject } = parse(MemberParams, req.params, "path");
    const removed = await removeGroupMember.execute({ actor, groupId: group, member: subject });
    res.json({ group: removed.group, subject: presentSubject(removed.subject), zedToken: removed.zedToken });
  });

  router.delete("/v1/groups/:group", async (req, res) => {
    const actor = actorOf(req);
    const { group } = parse(GroupParams, req.params, "path");
    res.json({ id: group, ...(await deleteGroup.execute({ actor, groupId: group })) });
  });

  return router;
}
