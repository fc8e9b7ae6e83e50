// export-command: `accord export > dump.jsonl` writes everything an installation holds —
// relationships (from the engine) and app state (objects, plans, invitations, member records,
// audit, from the store) — as JSON lines, so it can be imported elsewhere (embedded → cluster,
// or back).
import type { Engine, Relationship } from "../engine/engine.js";
import type { ObjectKind, Store } from "../store/store.js";
import { EXPORT_FORMAT, EXPORT_VERSION, formatLine, type ExportLine } from "./export-format.js";
import { backendCommand } from "./backend-command.js";
import { startProgress, type Progress } from "./progress.js";
import { EmbeddedEngine } from "../engine/embedded/embedded-engine.js";

const PAGE = 1000;
const OBJECT_KINDS: ObjectKind[] = ["organization", "project", "group", "role", "resource", "workspace", "folder"];

export interface ExportCounts {
  relationships: number;
  objects: number;
  plans: number;
  invitations: number;
  members: number;
  audit: number;
}

/** exportState writes the dump line by line through `write`, and returns what it wrote. */
export async function exportState(
  deps: { engine: Engine; store: Store; mode: string },
  write: (line: string) => void | Promise<void>,
  progress?: Progress,
): Promise<ExportCounts> {
  const counts: ExportCounts = { relationships: 0, objects: 0, plans: 0, invitations: 0, members: 0, audit: 0 };
  const emit = (line: ExportLine) => write(formatLine(line));
  const schema = await deps.engine.readSchema();
  await emit({ type: "header", format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString(), mode: deps.mode, schema });

  // App state is keyed by the objects relationships name: an object no relationship names does
  // not exist for the product, so this finds everything the port can be asked for.
  const named = new Map<string, Set<string>>();
  const note = (type: string, id: string) => (named.get(type) ?? named.set(type, new Set()).get(type)!).add(id);
  for (const resourceType of definitionsOf(schema)) {
    let cursor: string | undefined;
    do {
      const page = await deps.engine.readRelationships({ resourceType }, { limit: PAGE, cursor }, { kind: "full" });
      for (const relationship of page.relationships) {
        await emit({ type: "relationship", relationship: withoutEmpty(relationship) });
        note(relationship.resource.type, relationship.resource.id);
        note(relationship.subject.type, relationship.subject.id);
        counts.relationships++;
      }
      progress?.advance(page.relationships.length);
      cursor = page.cursor;
    } while (cursor);
  }

  for (const kind of OBJECT_KINDS) {
    const ids = [...(named.get(kind) ?? [])].sort();
    for (let i = 0; i < ids.length; i += PAGE) {
      const found = await deps.store.getObjects(kind, ids.slice(i, i + PAGE));
      for (const object of found.values()) {
        await emit({ type: "object", object });
        counts.objects++;
      }
    }
  }
  for (const userId of [...(named.get("user") ?? [])].sort()) {
    const plan = await deps.store.getPlan(userId);
    if (plan) {
      await emit({ type: "plan", userId, plan });
      counts.plans++;
    }
  }
  for (const targetType of ["organization", "project"] as const) {
    for (const targetId of [...(named.get(targetType) ?? [])].sort()) {
      let after: { createdAt: Date; id: string } | undefined;
      for (;;) {
        const invitations = await deps.store.listInvitations({ targetType, targetId, now: new Date(), limit: PAGE, after });
        for (const invitation of invitations) {
          await emit({ type: "invitation", invitation });
          counts.invitations++;
        }
        if (invitations.length < PAGE) break;
        const last = invitations[invitations.length - 1]!;
        after = { createdAt: last.createdAt, id: last.id };
      }
    }
  }
  for (const orgId of [...(named.get("organization") ?? [])].sort()) {
    const members = await deps.store.listMembers(orgId);
    for (const userId of [...members.keys()].sort()) {
      await emit({ type: "member", member: members.get(userId)! });
      counts.members++;
    }
  }
  // The log is listed newest first; the dump keeps it oldest first, the order to replay it in.
  const audit = [];
  let before: string | undefined;
  for (;;) {
    const entries = await deps.store.listAudit({ limit: PAGE, before });
    audit.push(...entries);
    if (entries.length < PAGE) break;
    before = entries[entries.length - 1]!.id;
  }
  for (const entry of audit.reverse()) {
    await emit({ type: "audit", entry });
    counts.audit++;
  }
  return counts;
}

/** definitionsOf lists the object types a schema defines. */
export function definitionsOf(schema: string): string[] {
  return [...schema.matchAll(/^\s*definition\s+([A-Za-z0-9_/]+)/gm)].map((m) => m[1]!);
}

function withoutEmpty(relationship: Relationship): Relationship {
  const out: Relationship = { resource: relationship.resource, relation: relationship.relation, subject: relationship.subject };
  if (relationship.caveat) out.caveat = relationship.caveat;
  if (relationship.expiresAt) out.expiresAt = relationship.expiresAt;
  return out;
}

const USAGE = `usage: accord export > dump.jsonl

Writes every relationship and all app state (objects, plans, invitations, member records, audit) of the
installation the environment configures (embedded ACCORD_DATA_DIR, or SPICEDB_ENDPOINT +
DATABASE_URL) to standard output as JSON lines. Read it back with \`accord import\`.
`;

export const exportCommand = backendCommand("export", "write relationships and app state as JSON lines (to move between modes)", USAGE, async (backends) => {
  // The embedded engine knows how many relationships it holds: the bar can say how long is left.
  const total = backends.engine instanceof EmbeddedEngine ? backends.engine.stats.replayedRelationships : undefined;
  const progress = startProgress("export", { unit: "relationships", total });
  const counts = await exportState(backends, (line) => writeOut(line), progress);
  progress.finish();
  process.stderr.write(`exported ${JSON.stringify(counts)}\n`);
});

/** writeOut writes to stdout and waits when the pipe is full, so huge dumps stream. */
function writeOut(line: string): Promise<void> | void {
  if (process.stdout.write(line)) return;
  return new Promise((resolve) => process.stdout.once("drain", () => resolve()));
}
