// reference-model: a small model of organizations, groups, projects and resources, written
// from docs/rules.md alone, that says what each product operation must answer and what every
// user may do afterwards. The model-based fuzz test holds the server to it step by step.

export type OrgRole = "owner" | "admin" | "member";
export type ProjectRole = "admin" | "manager" | "editor" | "viewer" | "guest";
export type ShareRole = "viewer" | "editor";
/** A grantee as the API names it: `user:<id>` or `group:<id>`. */
export type SubjectKey = `user:${string}` | `group:${string}`;

export interface Org {
  id: string;
  roles: Map<string, OrgRole>;
}
export interface Group {
  id: string;
  org: string;
  members: Set<string>;
}
export interface Project {
  id: string;
  org?: string;
  personalOwner?: string;
  roles: Map<SubjectKey, ProjectRole>;
  /** Users removed from the project while a group of theirs reached it (rule 15): no group path counts for them. */
  removed: Set<string>;
}
/** A project invitation for one user (rule 8); `id` is the server's, known once it answered. */
export interface Invitation {
  id?: string;
  project: string;
  user: string;
  role: ProjectRole;
  state: "pending" | "accepted" | "ended";
}
export interface Resource {
  id: string;
  project: string;
  shares: Map<SubjectKey, ShareRole>;
}

/** Expected answer of one operation: the status, and the problem code when it is refused. */
export interface Expected {
  status: number;
  code?: string;
}
const ok = (status = 200): Expected => ({ status });
const refused = (status: number, code: string): Expected => ({ status, code });

export class ReferenceModel {
  readonly orgs = new Map<string, Org>();
  readonly groups = new Map<string, Group>();
  readonly projects = new Map<string, Project>();
  readonly resources = new Map<string, Resource>();
  readonly invitations: Invitation[] = [];
  /** Users on the scale plan (rule 10); everyone else is on starter. */
  readonly scalePlans = new Set<string>();

  constructor(readonly users: string[]) {}

  orgRole = (orgId: string, user: string) => this.orgs.get(orgId)?.roles.get(user);
  isOrgMember = (orgId: string, user: string) => this.orgRole(orgId, user) !== undefined;
  private isOrgAdmin = (orgId: string, user: string) => ["owner", "admin"].includes(this.orgRole(orgId, user) ?? "");

  /**
   * rolesOn: the user's roles on a project, direct and through groups (counted only for org
   * members, rule 5, and not for a user removed from the project, rule 15).
   */
  rolesOn(project: Project, user: string): ProjectRole[] {
    const roles: ProjectRole[] = [];
    for (const [subject, role] of project.roles) {
      if (subject === `user:${user}`) roles.push(role);
      if (subject.startsWith("group:") && this.inGroup(subject.slice(6), user) && !project.removed.has(user)) roles.push(role);
    }
    return roles;
  }

  /** inGroup: a group member counts only while they are a member of the group's organization. */
  inGroup(groupId: string, user: string): boolean {
    const group = this.groups.get(groupId);
    return !!group && group.members.has(user) && this.isOrgMember(group.org, user);
  }

  /** bypass: project admin, personal owner, or admin/owner of the owning organization (rule 2). */
  bypass(project: Project, user: string): boolean {
    return project.personalOwner === user || this.rolesOn(project, user).includes("admin") || (!!project.org && this.isOrgAdmin(project.org, user));
  }

  projectPermission(project: Project, user: string, permission: "view" | "edit" | "create" | "manage_members" | "manage_admins"): boolean {
    if (this.bypass(project, user)) return true;
    const roles = this.rolesOn(project, user);
    const granting: Record<typeof permission, ProjectRole[]> = {
      view: ["manager", "editor", "viewer"],
      edit: ["manager", "editor"],
      create: ["manager", "editor"],
      manage_members: ["manager"],
      manage_admins: [],
    };
    return roles.some((r) => granting[permission].includes(r));
  }

  private shareHolds(resource: Resource, user: string, roles: ShareRole[]): boolean {
    if (this.projects.get(resource.project)!.removed.has(user)) return false;
    for (const [subject, role] of resource.shares) {
      if (!roles.includes(role)) continue;
      if (subject === `user:${user}`) return true;
      if (subject.startsWith("group:") && this.inGroup(subject.slice(6), user)) return true;
    }
    return false;
  }

  resourcePermission(resource: Resource, user: string, permission: "view" | "edit"): boolean {
    const project = this.projects.get(resource.project)!;
    if (permission === "view") return this.projectPermission(project, user, "view") || this.shareHolds(resource, user, ["viewer", "editor"]);
    return this.projectPermission(project, user, "edit") || this.shareHolds(resource, user, ["editor"]);
  }

  // ---- operations: expected answer, then (if accepted) the change ----

  createOrg(actor: string, id: string): Expected {
    this.orgs.set(id, { id, roles: new Map([[actor, "owner"]]) });
    return ok(201);
  }

  setOrgMember(actor: string, orgId: string, user: string, role: OrgRole): Expected {
    const org = this.orgs.get(orgId)!;
    if (!this.isOrgAdmin(orgId, actor)) return refused(403, "forbidden");
    const current = org.roles.get(user);
    if ((current === "owner" || role === "owner") && this.orgRole(orgId, actor) !== "owner") return refused(403, "forbidden");
    if (current === "owner" && role !== "owner" && this.owners(org).length === 1) return refused(409, "precondition_failed");
    org.roles.set(user, role);
    return ok();
  }

  removeOrgMember(actor: string, orgId: string, user: string): Expected {
    const org = this.orgs.get(orgId)!;
    const leaving = actor === user;
    if (!leaving && !this.isOrgAdmin(orgId, actor)) return refused(403, "forbidden");
    const current = org.roles.get(user);
    if (!current) return refused(404, "not_found");
    if (!leaving && current === "owner" && this.orgRole(orgId, actor) !== "owner") return refused(403, "forbidden");
    if (current === "owner" && this.owners(org).length === 1) return refused(409, "precondition_failed");
    // Rule 6: the role, the org's groups, roles on its projects and shares on their resources.
    org.roles.delete(user);
    for (const group of this.groups.values()) if (group.org === orgId) group.members.delete(user);
    for (const project of this.projects.values()) {
      if (project.org !== orgId) continue;
      project.roles.delete(`user:${user}`);
      project.removed.delete(user);
    }
    for (const resource of this.resources.values()) if (this.projects.get(resource.project)!.org === orgId) resource.shares.delete(`user:${user}`);
    for (const invitation of this.invitations) {
      if (invitation.user === user && invitation.state === "pending" && this.projects.get(invitation.project)!.org === orgId) invitation.state = "ended";
    }
    return ok();
  }

  private owners = (org: Org) => [...org.roles].filter(([, r]) => r === "owner").map(([u]) => u);

  createProject(actor: string, id: string, owner: { org: string } | { personal: true }): Expected {
    if ("org" in owner && !this.isOrgAdmin(owner.org, actor)) return refused(403, "forbidden");
    const project: Project = "org" in owner ? { id, org: owner.org, roles: new Map(), removed: new Set() } : { id, personalOwner: actor, roles: new Map(), removed: new Set() };
    project.roles.set(`user:${actor}`, "admin");
    this.projects.set(id, project);
    return ok(201);
  }

  /** needsPlan (rule 17): a personal project takes direct grants only when its owner is on scale. */
  private needsPlan = (project: Project) => project.personalOwner !== undefined && !this.scalePlans.has(project.personalOwner);

  /** grantable applies rules 4 and 5 to a subject on a project (undefined when it may hold a role). */
  private grantable(project: Project, subject: SubjectKey): Expected | undefined {
    if (subject.startsWith("user:")) {
      if (project.org && !this.isOrgMember(project.org, subject.slice(5))) return refused(422, "not_org_member");
      return undefined;
    }
    if (!project.org) return refused(422, "groups_not_allowed");
    if (this.groups.get(subject.slice(6))!.org !== project.org) return refused(422, "not_org_member");
    return undefined;
  }

  grantProjectRole(actor: string, projectId: string, subject: SubjectKey, role: ProjectRole): Expected {
    const project = this.projects.get(projectId)!;
    if (!this.projectPermission(project, actor, "manage_members")) return refused(403, "forbidden");
    if (this.needsPlan(project)) return refused(403, "plan_required");
    if (project.personalOwner && subject === `user:${project.personalOwner}` && role !== "admin") return refused(403, "forbidden");
    const rule = this.grantable(project, subject);
    if (rule) return rule;
    // Rule 3: only who may manage admins grants admin or changes an admin.
    if ((role === "admin" || project.roles.get(subject) === "admin") && !this.bypass(project, actor)) return refused(403, "forbidden");
    project.roles.set(subject, role);
    this.letBackIn(project, subject);
    return ok();
  }

  /** letBackIn: anything granted to a removed user in the project ends their exclusion (rule 15). */
  private letBackIn(project: Project, subject: SubjectKey): void {
    if (subject.startsWith("user:")) project.removed.delete(subject.slice(5));
  }

  /** groupsReaching: the user's groups that hold a role on the project or a share on its resources. */
  private groupsReaching(project: Project, user: string): boolean {
    const reaches = (subject: SubjectKey) => subject.startsWith("group:") && this.inGroup(subject.slice(6), user);
    if ([...project.roles.keys()].some(reaches)) return true;
    return [...this.resources.values()].some((r) => r.project === project.id && [...r.shares.keys()].some(reaches));
  }

  removeProjectMember(actor: string, projectId: string, subject: SubjectKey): Expected {
    const project = this.projects.get(projectId)!;
    if (!this.projectPermission(project, actor, "manage_members")) return refused(403, "forbidden");
    if (project.personalOwner && subject === `user:${project.personalOwner}`) return refused(403, "forbidden");
    // Rule 15: the role, the shares on the project's resources, the pending invitation; for a
    // user whom a group still reaches there, the exclusion.
    const current = project.roles.get(subject);
    if (current === "admin" && !this.bypass(project, actor)) return refused(403, "forbidden");
    const shared = [...this.resources.values()].filter((r) => r.project === projectId && r.shares.has(subject));
    const user = subject.startsWith("user:") ? subject.slice(5) : undefined;
    const exclude = user !== undefined && !project.removed.has(user) && this.groupsReaching(project, user);
    if (!current && shared.length === 0 && !exclude) return refused(404, "not_found");
    project.roles.delete(subject);
    for (const r of shared) r.shares.delete(subject);
    if (exclude) project.removed.add(user!);
    for (const invitation of this.invitations) {
      if (`user:${invitation.user}` === subject && invitation.project === projectId && invitation.state === "pending") invitation.state = "ended";
    }
    return ok();
  }

  /**
   * inviteToProject (one invitee): the sender needs what a direct grant needs; the invitee's
   * outcome is `invited`, or `failed` with the code rules 4 and 8 give.
   */
  inviteToProject(actor: string, projectId: string, user: string, role: ProjectRole): { expected: Expected; outcome?: { status: "invited"; invitation: Invitation } | { status: "failed"; code: string } } {
    const project = this.projects.get(projectId)!;
    if (!this.projectPermission(project, actor, "manage_members")) return { expected: refused(403, "forbidden") };
    if (role === "admin" && !this.bypass(project, actor)) return { expected: refused(403, "forbidden") };
    const failed = (code: string) => ({ expected: ok(), outcome: { status: "failed" as const, code } });
    if (project.org && !this.isOrgMember(project.org, user)) return failed("not_org_member");
    if (project.roles.has(`user:${user}`) || project.personalOwner === user) return failed("already_member");
    if (this.invitations.some((i) => i.project === projectId && i.user === user && i.state === "pending")) return failed("invitation_pending");
    const invitation: Invitation = { project: projectId, user, role, state: "pending" };
    this.invitations.push(invitation);
    return { expected: ok(), outcome: { status: "invited", invitation } };
  }

  /** acceptInvitation: only the invitee, only while pending; it grants the role (rule 8). */
  acceptInvitation(actor: string, invitation: Invitation): Expected {
    if (actor !== invitation.user) return refused(403, "forbidden");
    if (invitation.state !== "pending") return refused(409, "precondition_failed");
    const project = this.projects.get(invitation.project)!;
    if (project.org && !this.isOrgMember(project.org, actor)) return refused(422, "not_org_member");
    if (project.roles.has(`user:${actor}`)) return refused(409, "already_member");
    project.roles.set(`user:${actor}`, invitation.role);
    this.letBackIn(project, `user:${actor}`);
    invitation.state = "accepted";
    return ok();
  }

  createGroup(actor: string, orgId: string, id: string): Expected {
    if (!this.isOrgAdmin(orgId, actor)) return refused(403, "forbidden");
    this.groups.set(id, { id, org: orgId, members: new Set() });
    return ok(201);
  }

  addGroupMember(actor: string, groupId: string, user: string): Expected {
    const group = this.groups.get(groupId)!;
    if (!this.isOrgAdmin(group.org, actor)) return refused(403, "forbidden");
    if (!this.isOrgMember(group.org, user)) return refused(422, "not_org_member");
    group.members.add(user);
    return ok();
  }

  registerResource(actor: string, projectId: string, id: string): Expected {
    const project = this.projects.get(projectId)!;
    if (!this.projectPermission(project, actor, "create")) return refused(403, "forbidden");
    this.resources.set(id, { id, project: projectId, shares: new Map() });
    return ok(201);
  }

  shareResource(actor: string, resourceId: string, subject: SubjectKey, role: ShareRole): Expected {
    const resource = this.resources.get(resourceId)!;
    const project = this.projects.get(resource.project)!;
    // manage_access: managers and up, or a project editor+ holding an editor share there (rule 12).
    const mayShare = this.projectPermission(project, actor, "manage_members") || (this.shareHolds(resource, actor, ["editor"]) && this.projectPermission(project, actor, "edit"));
    if (!mayShare) return refused(403, "forbidden");
    if (this.needsPlan(project)) return refused(403, "plan_required");
    const rule = this.grantable(project, subject);
    if (rule) return rule;
    resource.shares.set(subject, role);
    this.letBackIn(project, subject);
    return ok();
  }
}
