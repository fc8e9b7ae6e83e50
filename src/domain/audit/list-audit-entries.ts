// listAuditEntries pages the audit log newest first (admin), filtered by actor (`user:<id>` or
// `key:<name>`), by an object an entry names (target, or a resource or subject it changed),
// and by time ([since, until)).
import type { AuditEntry, AuditQuery, Store } from "../../store/store.js";
import { invalidRequest } from "../errors.js";

const encode = (id: string) => Buffer.from(id, "utf8").toString("base64url");

function decode(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^\d{1,19}$/.test(id) || encode(id) !== cursor) throw invalidRequest("cursor is not one this listing returned", "query.cursor");
  return id;
}

export function createListAuditEntries(deps: { store: Pick<Store, "listAudit"> }) {
  return {
    async execute(input: Omit<AuditQuery, "before"> & { cursor?: string }): Promise<{ entries: AuditEntry[]; cursor?: string }> {
      if (input.since && input.until && input.since >= input.until) throw invalidRequest("since must be before until", "query.since");
      const { cursor, ...query } = input;
      const rows = await deps.store.listAudit({ ...query, before: cursor === undefined ? undefined : decode(cursor), limit: input.limit + 1 });
      const entries = rows.slice(0, input.limit);
      const last = entries[entries.length - 1];
      return { entries, ...(rows.length > input.limit && last ? { cursor: encode(last.id) } : {}) };
    },
  };
}
