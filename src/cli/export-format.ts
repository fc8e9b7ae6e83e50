// export-format is the dump `accord export` writes and `accord import` reads: JSON lines, one
// header line first, then relationships, product objects, personal plans, invitations,
// organization member records (when each joined, rule 16) and audit entries (oldest first).
// Dates are ISO-8601 strings.
import type { Relationship } from "../engine/engine.js";
import type { AuditEntry, InvitationRecord, MemberRecord, ObjectRecord, PersonalPlan } from "../store/store.js";

export const EXPORT_FORMAT = "accord-export";
export const EXPORT_VERSION = 1;

export type ExportLine =
  | { type: "header"; format: typeof EXPORT_FORMAT; version: number; exportedAt: string; mode: string; schema: string }
  | { type: "relationship"; relationship: Relationship }
  | { type: "object"; object: ObjectRecord }
  | { type: "plan"; userId: string; plan: PersonalPlan }
  | { type: "invitation"; invitation: InvitationRecord }
  | { type: "member"; member: MemberRecord }
  | { type: "audit"; entry: AuditEntry };

export function formatLine(line: ExportLine): string {
  return JSON.stringify(line) + "\n";
}

const DATE_FIELDS: Record<string, string[]> = {
  relationship: ["expiresAt"],
  object: ["createdAt"],
  invitation: ["createdAt", "expiresAt", "updatedAt"],
  member: ["joinedAt"],
  audit: ["at"],
};

/** parseLine reads one dump line back, with its dates as Dates; it throws on anything else. */
export function parseLine(text: string, lineNumber: number): ExportLine {
  let value: { type?: unknown } & Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`line ${lineNumber}: not JSON`);
  }
  const type = typeof value?.type === "string" ? value.type : "";
  const payloadKey = { relationship: "relationship", object: "object", invitation: "invitation", member: "member", audit: "entry" }[type];
  if (payloadKey) {
    const payload = value[payloadKey] as Record<string, unknown> | undefined;
    if (!payload || typeof payload !== "object") throw new Error(`line ${lineNumber}: ${type} without its ${payloadKey}`);
    for (const field of DATE_FIELDS[type] ?? []) {
      if (payload[field] === undefined) continue;
      const date = new Date(payload[field] as string);
      if (Number.isNaN(date.getTime())) throw new Error(`line ${lineNumber}: ${type}.${field} is not a date`);
      payload[field] = date;
    }
  } else if (type !== "header" && type !== "plan") {
    throw new Error(`line ${lineNumber}: unknown line type ${JSON.stringify(value?.type)}`);
  }
  return value as unknown as ExportLine;
}
