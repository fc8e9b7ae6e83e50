// auditEngine wraps the engine handed to use-cases so that every change — product operations
// and raw relationship and schema writes alike — leaves an audit entry: who (principal and
// actor), what (action, target, the relationship changes), when, and the zedToken.
//
// The entry is written ahead: it is stored (as pending) before the engine write and marked
// committed with the write's token after it. So a change never exists without its record:
// if the audit log cannot be written, nothing is written to the engine (503); if the engine
// refuses, the pending entry is discarded; if the process dies in between, the entry stays
// pending ("unconfirmed": the change may or may not have happened), never missing.
import { createHash } from "node:crypto";
import { memoizedMethods } from "../../engine/memoized-methods.js";
import type { Engine, Precondition, Relationship, RelationshipFilter, RelationshipUpdate, WriteResult } from "../../engine/engine.js";
import type { AuditChange, AuditDraft, Store } from "../../store/store.js";
import { auditDraft, type DraftInput } from "./audit-context.js";
import { DomainError, unavailable } from "../errors.js";

/** MAX_RECORDED_DELETES caps the relationships one filtered delete lists in its entry. */
export const MAX_RECORDED_DELETES = 5000;

type AuditLog = Pick<Store, "appendAudit" | "commitAudit" | "discardAudit">;

export interface AuditedEngineDeps {
  store: AuditLog;
  now: () => Date;
  /** Told when a committed change could not be marked committed (its entry stays pending). */
  onUnconfirmed?: (err: unknown) => void;
}

const subjectString = (r: Relationship) => `${r.subject.type}:${r.subject.id}${r.subject.relation ? `#${r.subject.relation}` : ""}`;

/** relationshipString is SpiceDB's string form, `project:p1#viewer@user:bob`. */
export const relationshipString = (r: Relationship) => `${r.resource.type}:${r.resource.id}#${r.relation}@${subjectString(r)}`;

/** auditChangeOf records one update with its caveat and expiration. */
export function auditChangeOf(update: RelationshipUpdate): AuditChange {
  const change: AuditChange = { operation: update.operation, relationship: relationshipString(update.relationship) };
  const { caveat, expiresAt } = update.relationship;
  if (caveat) change.caveat = caveat.context ? { name: caveat.name, context: caveat.context } : { name: caveat.name };
  if (expiresAt) change.expiresAt = expiresAt.toISOString();
  return change;
}

async function readMatching(engine: Engine, filter: RelationshipFilter): Promise<{ relationships: Relationship[]; more: boolean }> {
  const relationships: Relationship[] = [];
  let cursor: string | undefined;
  do {
    const page = await engine.readRelationships(filter, { limit: 1000, cursor }, { kind: "full" });
    relationships.push(...page.relationships);
    cursor = page.cursor;
  } while (cursor && relationships.length < MAX_RECORDED_DELETES);
  return { relationships: relationships.slice(0, MAX_RECORDED_DELETES), more: Boolean(cursor) || relationships.length > MAX_RECORDED_DELETES };
}

export function auditEngine<E extends Engine>(engine: E, deps: AuditedEngineDeps): E {
  /** recorded runs one engine write between its pending entry and the entry's commit. */
  async function recorded(input: Omit<DraftInput, "at">, write: () => Promise<WriteResult>): Promise<WriteResult> {
    const draft: AuditDraft = auditDraft({ ...input, at: deps.now() });
    let entryId: string;
    try {
      entryId = await deps.store.appendAudit(draft, "pending");
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw unavailable(`the audit log cannot be written, so nothing was changed: ${(err as Error).message}`);
    }
    let written: WriteResult;
    try {
      written = await write();
    } catch (err) {
      await deps.store.discardAudit(entryId).catch(() => undefined);
      throw err;
    }
    try {
      await deps.store.commitAudit(entryId, written.zedToken);
    } catch (err) {
      // The change happened and its entry exists (pending); failing the request would lie.
      deps.onUnconfirmed?.(err);
    }
    return written;
  }

  const audited = {
    write(updates: RelationshipUpdate[], preconditions?: Precondition[]) {
      return recorded({ changes: updates.map(auditChangeOf) }, () => engine.write(updates, preconditions));
    },
    async deleteByFilter(filter: RelationshipFilter, preconditions?: Precondition[]) {
      // NOTE: the deleted relationships are read first (fully consistent); a relationship
      // written between that read and the delete is deleted but not listed.
      const matching = filter.resourceType ? await readMatching(engine, filter) : { relationships: [], more: true };
      const changes = matching.relationships.map((relationship) => auditChangeOf({ operation: "delete", relationship }));
      const detail = { filter, ...(matching.more ? { listed: changes.length, truncated: true } : {}) };
      return recorded({ changes, detail, target: filter.resourceType && filter.resourceId ? `${filter.resourceType}:${filter.resourceId}` : undefined }, () =>
        engine.deleteByFilter(filter, preconditions),
      );
    },
    writeSchema(schema: string) {
      const detail = { schemaSha256: createHash("sha256").update(schema).digest("hex"), schemaLength: schema.length };
      return recorded({ target: "schema", detail }, () => engine.writeSchema(schema));
    },
  };

  const passThrough = memoizedMethods<E>((target, _property, value) => value.bind(target));
  return new Proxy(engine, {
    get(target, property, receiver) {
      if (property === "write" || property === "deleteByFilter" || property === "writeSchema") return audited[property];
      return passThrough!(target, property, receiver);
    },
  });
}
