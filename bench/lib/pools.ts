// pools builds the requests the bench sends, from the dataset: checks over a Pareto (80/20)
// choice of users and projects — 80% of picks fall on a fixed 20% of them — positive and
// negative; bulk checks of 100 resources for one user; the lookup of the power user.
import type { CheckItem } from "../../src/engine/engine.js";
import { POWER_USER, random, type Dataset } from "./dataset.js";

const PERMISSIONS = [
  ["view", 0.6],
  ["edit", 0.25],
  ["manage_members", 0.1],
  ["delete_project", 0.05],
] as const;

export interface Pools {
  /**
   * JSON bodies of POST /v1/check: one long random stream (runs continue it, they do not
   * replay it), and the same checks as engine items.
   */
  checks: string[];
  items: CheckItem[];
  bulk: string[];
  lookup: string[];
}

/** pareto picks from a list so that 80% of picks land on a fixed fifth of it. */
function pareto<T>(list: readonly T[], rnd: () => number): () => T {
  const shuffled = [...list];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const hot = Math.max(1, Math.floor(shuffled.length / 5));
  return () => (rnd() < 0.8 ? shuffled[Math.floor(rnd() * hot)]! : shuffled[hot + Math.floor(rnd() * (shuffled.length - hot))] ?? shuffled[0]!);
}

export function buildPools(dataset: Dataset, size = 100_000): Pools {
  const rnd = random(7);
  const user = pareto(dataset.users.filter((u) => u !== POWER_USER), rnd);
  const project = pareto(dataset.projects, rnd);
  const permission = () => {
    let r = rnd();
    for (const [name, weight] of PERMISSIONS) {
      r -= weight;
      if (r < 0) return name;
    }
    return "view";
  };
  const items: CheckItem[] = [];
  for (let i = 0; i < size; i++) {
    const u = user();
    const own = dataset.projectsOf.get(u) ?? [];
    // 70% ask about a project the user holds a role on (mostly allowed), 30% about any project.
    const p = rnd() < 0.7 && own.length ? own[Math.floor(rnd() * own.length)]! : project();
    if (rnd() < 0.15) {
      const resources = dataset.resourcesOf.get(p)!;
      items.push({ resource: { type: "resource", id: resources[Math.floor(rnd() * resources.length)]! }, permission: "view", subject: { type: "user", id: u } });
    } else {
      items.push({ resource: { type: "project", id: p }, permission: permission(), subject: { type: "user", id: u } });
    }
  }
  const checks = items.map((item) =>
    JSON.stringify({ resource: `${item.resource.type}:${item.resource.id}`, permission: item.permission, subject: `user:${item.subject.id}` }),
  );
  // Bulk: one user, 100 resources — half in the user's projects, half anywhere (a page of a
  // list). Enough bodies that a run never sends one twice.
  const bulk: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const u = user();
    const own = dataset.projectsOf.get(u) ?? [];
    const resources = Array.from({ length: 100 }, (_, n) => {
      const p = n % 2 === 0 && own.length ? own[Math.floor(rnd() * own.length)]! : project();
      const list = dataset.resourcesOf.get(p)!;
      return list[Math.floor(rnd() * list.length)]!;
    });
    bulk.push(JSON.stringify({ items: resources.map((r) => ({ resource: `resource:${r}`, permission: "view", subject: `user:${u}` })) }));
  }
  const lookup = [JSON.stringify({ resourceType: "project", permission: "view", subject: `user:${POWER_USER}` })];
  return { checks, items, bulk, lookup };
}
