// import-command: `accord import < dump.jsonl` loads a dump written by `accord export` into the
// installation the environment configures. Relationships are touched in batches of 1,000 (so a
// re-run converges), then objects, plans, invitations (existing ids are kept), member records and audit entries.
import { fstatSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Engine, Relationship } from "../engine/engine.js";
import type { AuditEntry, Store } from "../store/store.js";
import { EXPORT_FORMAT, EXPORT_VERSION, parseLine } from "./export-format.js";
import { backendCommand } from "./backend-command.js";
import { startProgress, type Progress } from "./progress.js";

const BATCH = 1000;

export interface ImportCounts {
  relationships: number;
  objects: number;
  plans: number;
  invitations: number;
  /** Invitations already present (same id), or refused as duplicates of a pending one. */
  invitationsSkipped: number;
  members: number;
  audit: number;
}

export async function importState(deps: { engine: Engine; store: Store }, lines: AsyncIterable<string>, progress?: Progress): Promise<ImportCounts> {
  const counts: ImportCounts = { relationships: 0, objects: 0, plans: 0, invitations: 0, invitationsSkipped: 0, members: 0, audit: 0 };
  let batch: Relationship[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await deps.engine.write(batch.map((relationship) => ({ operation: "touch", relationship })));
    counts.relationships += batch.length;
    progress?.advance(batch.length, batchBytes);
    batchBytes = 0;
    batch = [];
  };
  let lineNumber = 0;
  let sawHeader = false;
  for await (const text of lines) {
    lineNumber++;
    batchBytes += Buffer.byteLength(text) + 1;
    if (!text.trim()) continue;
    const line = parseLine(text, lineNumber);
    if (!sawHeader) {
      if (line.type !== "header" || line.format !== EXPORT_FORMAT) throw new Error(`line ${lineNumber}: not an accord export (no header line)`);
      if (line.version > EXPORT_VERSION) throw new Error(`the dump is format version ${line.version}; this Accord reads up to ${EXPORT_VERSION}`);
      sawHeader = true;
      continue;
    }
    if (line.type !== "relationship") await flush();
    switch (line.type) {
      case "header":
        throw new Error(`line ${lineNumber}: a second header`);
      case "relationship":
        batch.push(line.relationship);
        if (batch.length === BATCH) await flush();
        break;
      case "object":
        await deps.store.putObject(line.object);
        counts.objects++;
        break;
      case "plan":
        await deps.store.setPlan(line.userId, line.plan, new Date());
        counts.plans++;
        break;
      case "invitation": {
        const existing = await deps.store.getInvitation(line.invitation.id);
        const outcome = existing ? "exists" : await deps.store.insertInvitation(line.invitation, { now: new Date() });
        if (outcome === "created") counts.invitations++;
        else counts.invitationsSkipped++;
        break;
      }
      case "member":
        await deps.store.putMember(line.member);
        counts.members++;
        break;
      case "audit": {
        const { id: _id, state, ...draft } = line.entry as AuditEntry;
        await deps.store.appendAudit(draft, state);
        counts.audit++;
        break;
      }
    }
  }
  await flush();
  if (!sawHeader) throw new Error("empty input: expected a dump written by `accord export`");
  return counts;
}

const USAGE = `usage: accord import < dump.jsonl

Loads a dump written by \`accord export\` into the installation the environment configures
(embedded ACCORD_DATA_DIR, or SPICEDB_ENDPOINT + DATABASE_URL). Import into an empty
installation; for an embedded one, stop its server first.
`;

export const importCommand = backendCommand("import", "load a dump written by `accord export` (relationships and app state)", USAGE, async (backends) => {
  // Read from a file, stdin has a size: the bar can say how long is left.
  const size = fstatSync(0).isFile() ? fstatSync(0).size : undefined;
  const progress = startProgress("import", { unit: "relationships", total: size, totalIsBytes: true });
  const counts = await importState(backends, createInterface({ input: process.stdin, crlfDelay: Infinity }), progress);
  progress.finish();
  process.stderr.write(`imported ${JSON.stringify(counts)}\n`);
});
