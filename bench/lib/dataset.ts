// dataset generates the bench's organizations deterministically: organizations with owners,
// admins, members and scopes; groups nested three deep; custom roles; projects (mostly the
// organizations', some personal) with built-in, group and custom-role grants; resources with
// direct shares; and one "power" user who administers ten organizations (the lookup subject).
// It yields product operations (seeded through the product endpoints) and, from the same
// operations, the relationships they stand for (seeded raw when the product path is too slow).

export const SIZES = {
  team: { orgs: 50, usersPerOrg: 20 },
  "50k": { orgs: 270, usersPerOrg: 20 },
  "200k": { orgs: 1080, usersPerOrg: 20 },
  // The real engine's capacity table (remote mode on SpiceDB + PostgreSQL).
  "100k": { orgs: 540, usersPerOrg: 20 },
  "1m": { orgs: 5400, usersPerOrg: 20 },
} as const;
export type SizeName = keyof typeof SIZES;

export const POWER_USER = "power";
const POWER_ORGS = 10;
const PROJECTS_PER_ORG = 10; // 9 of the organization's, 1 personal project of a member
const RESOURCES_PER_PROJECT = 2;
const ORG_AREAS = ["general", "integrations", "members", "projects", "billing"] as const;
const CUSTOM_ROLES = [
  { suffix: "reviewer", permissions: ["view", "comment", "edit"] },
  { suffix: "coordinator", permissions: ["view", "view_members", "manage_members"] },
];

export type Operation =
  | { kind: "org"; org: string; owner: string }
  | { kind: "orgMember"; org: string; actor: string; user: string; role: "admin" | "member"; scopes?: Record<string, "view" | "full"> }
  | { kind: "group"; org: string; actor: string; group: string }
  | { kind: "groupMember"; actor: string; group: string; subject: string }
  | { kind: "role"; org: string; actor: string; role: string; permissions: string[] }
  | { kind: "project"; project: string; actor: string; owner: string }
  | { kind: "projectMember"; project: string; actor: string; subject: string; role: string }
  | { kind: "resource"; resource: string; project: string; actor: string }
  | { kind: "resourceMember"; resource: string; actor: string; subject: string; role: "viewer" | "editor" };

export interface Dataset {
  size: SizeName;
  /** Operations in an order the product rules accept, one list per organization. */
  byOrg: Operation[][];
  users: string[];
  projects: string[];
  /** Projects each user holds a role on (directly or as organization admin/owner). */
  projectsOf: Map<string, string[]>;
  resourcesOf: Map<string, string[]>;
}

/** mulberry32: a small seeded PRNG, so every run builds the same data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generate(size: SizeName): Dataset {
  const { orgs, usersPerOrg } = SIZES[size];
  const rnd = random(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const users = Array.from({ length: orgs * usersPerOrg }, (_, i) => `u${i}`);
  const projects: string[] = [];
  const projectsOf = new Map<string, string[]>();
  const resourcesOf = new Map<string, string[]>();
  const grant = (user: string, project: string) => projectsOf.set(user, [...(projectsOf.get(user) ?? []), project]);
  // Members of each organization: its own block of users, plus a fifth of users from elsewhere.
  const membersOf: string[][] = Array.from({ length: orgs }, (_, k) => users.slice(k * usersPerOrg, (k + 1) * usersPerOrg));
  for (let i = 0; i < users.length / 5; i++) {
    const user = pick(users);
    const org = Math.floor(rnd() * orgs);
    if (!membersOf[org]!.includes(user)) membersOf[org]!.push(user);
  }
  const byOrg: Operation[][] = [];
  for (let k = 0; k < orgs; k++) {
    const ops: Operation[] = [];
    const org = `o${k}`;
    const [owner, ...rest] = membersOf[k]!;
    const actor = owner!;
    ops.push({ kind: "org", org, owner: actor });
    const admins = rest.slice(0, 2);
    for (const user of rest) {
      if (admins.includes(user)) {
        ops.push({ kind: "orgMember", org, actor, user, role: "admin" });
      } else {
        const scopes = rnd() < 0.3 ? { [pick(ORG_AREAS)]: rnd() < 0.5 ? ("view" as const) : ("full" as const) } : undefined;
        ops.push({ kind: "orgMember", org, actor, user, role: "member", ...(scopes ? { scopes } : {}) });
      }
    }
    if (k < POWER_ORGS) ops.push({ kind: "orgMember", org, actor, user: POWER_USER, role: "admin" });
    const plain = rest.filter((u) => !admins.includes(u));
    // Groups: a ⊃ b ⊃ c (nested three deep) and a separate d, four users each.
    const groups = ["a", "b", "c", "d"].map((g) => `${org}-g${g}`);
    for (const group of groups) ops.push({ kind: "group", org, actor, group });
    for (const group of groups) for (let i = 0; i < 4; i++) ops.push({ kind: "groupMember", actor, group, subject: `user:${pick(plain)}` });
    ops.push({ kind: "groupMember", actor, group: groups[0]!, subject: `group:${groups[1]}` });
    ops.push({ kind: "groupMember", actor, group: groups[1]!, subject: `group:${groups[2]}` });
    const roles = CUSTOM_ROLES.map((r) => ({ id: `${org}-${r.suffix}`, permissions: r.permissions }));
    for (const role of roles) ops.push({ kind: "role", org, actor, role: role.id, permissions: role.permissions });
    for (let j = 0; j < PROJECTS_PER_ORG; j++) {
      const project = `${org}-p${j}`;
      projects.push(project);
      const personal = j === PROJECTS_PER_ORG - 1;
      const creator = personal ? pick(plain) : actor;
      ops.push({ kind: "project", project, actor: creator, owner: personal ? `user:${creator}` : `organization:${org}` });
      grant(creator, project);
      if (!personal) {
        for (const admin of [actor, ...admins, ...(k < POWER_ORGS ? [POWER_USER] : [])]) if (admin !== creator) grant(admin, project);
      }
      // Built-in roles for distinct members: 1 manager, 2 editors, 3 viewers, 1 guest.
      const chosen = new Set<string>();
      const pool = plain.filter((u) => u !== creator);
      for (const role of ["manager", "editor", "editor", "viewer", "viewer", "viewer", "guest"]) {
        let user = pick(pool);
        for (let tries = 0; chosen.has(user) && tries < 10; tries++) user = pick(pool);
        if (chosen.has(user)) continue;
        chosen.add(user);
        ops.push({ kind: "projectMember", project, actor: creator, subject: `user:${user}`, role });
        if (role !== "guest") grant(user, project);
      }
      if (!personal && rnd() < 0.6) ops.push({ kind: "projectMember", project, actor, subject: `group:${pick(groups)}`, role: rnd() < 0.5 ? "viewer" : "editor" });
      if (!personal && rnd() < 0.3) {
        const user = pick(pool.filter((u) => !chosen.has(u)));
        ops.push({ kind: "projectMember", project, actor, subject: `user:${user}`, role: `role:${pick(roles).id}` });
        grant(user, project);
      }
      for (let r = 0; r < RESOURCES_PER_PROJECT; r++) {
        const resource = `${project}-r${r}`;
        resourcesOf.set(project, [...(resourcesOf.get(project) ?? []), resource]);
        ops.push({ kind: "resource", resource, project, actor: creator });
        if (rnd() < 0.2) ops.push({ kind: "resourceMember", resource, actor: creator, subject: `user:${pick(pool)}`, role: "viewer" });
      }
    }
    byOrg.push(ops);
  }
  return { size, byOrg, users: [...users, POWER_USER], projects, projectsOf, resourcesOf };
}

/** relationshipsOf renders one operation as the relationships it stands for. */
export function relationshipsOf(op: Operation): string[] {
  switch (op.kind) {
    // Every membership carries its scopes, the default general=view included (docs/rules.md).
    case "org":
      return [`organization:${op.org}#owner@user:${op.owner}`, `organization:${op.org}#general_view@user:${op.owner}`];
    case "orgMember":
      return [
        `organization:${op.org}#${op.role}@user:${op.user}`,
        ...Object.entries({ general: "view", ...op.scopes }).map(([area, level]) => `organization:${op.org}#${area}_${level}@user:${op.user}`),
      ];
    case "group":
      return [`group:${op.group}#organization@organization:${op.org}`];
    case "groupMember":
      return [`group:${op.group}#direct_member@${op.subject.startsWith("group:") ? `${op.subject}#member` : op.subject}`];
    case "role":
      return [`role:${op.role}#organization@organization:${op.org}`, ...op.permissions.map((p) => `role:${op.role}#perm_${p}@user:*`)];
    case "project":
      return op.owner.startsWith("organization:")
        ? [`project:${op.project}#organization@${op.owner}`, `project:${op.project}#admin@user:${op.actor}`]
        : [`project:${op.project}#owner_user@${op.owner}`, `project:${op.project}#admin@user:${op.actor}`];
    case "projectMember": {
      const subject = op.subject.startsWith("group:") ? `${op.subject}#member` : op.subject;
      if (!op.role.startsWith("role:")) return [`project:${op.project}#${op.role}@${subject}`];
      const role = op.role.slice("role:".length);
      const binding = `${op.project}|${role}`;
      return [`role_binding:${binding}#role@role:${role}`, `role_binding:${binding}#holder@${subject}`, `project:${op.project}#binding@role_binding:${binding}`];
    }
    case "resource":
      return [`resource:${op.resource}#project@project:${op.project}`];
    case "resourceMember":
      return [`resource:${op.resource}#${op.role}@${op.subject}`];
  }
}
