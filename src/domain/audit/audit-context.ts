// auditContext carries who is doing what through one operation (an HTTP request) without
// threading it through every use-case: the principal, the actor, the action and its target.
// The audited engine and the app-state writes read it to record their audit entries.
import { AsyncLocalStorage } from "node:async_hooks";
import type { AuditChange, AuditDraft } from "../../store/store.js";

export interface OperationContext {
  /** Who called: `key:<name>` or `user:<id>`. */
  principal: string;
  /** On whose behalf: `user:<id>`, or the principal when no user is named. */
  actor: string;
  /** Read when an entry is recorded (the route is known by then), e.g. `PUT /v1/orgs/:org/members/:user`. */
  action: () => string;
  /** The object the operation is about, e.g. `organization:acme`, when the request names one. */
  target: () => string | undefined;
}

const storage = new AsyncLocalStorage<OperationContext>();

/** runInOperation runs work (and everything it schedules) inside the operation's context. */
export function runInOperation<T>(context: OperationContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentOperation(): OperationContext | undefined {
  return storage.getStore();
}

/** objectOf reduces a reference (`group:eng#member`) to its object (`group:eng`). */
export const objectOf = (reference: string) => reference.split("#")[0]!;

export interface DraftInput {
  at: Date;
  changes?: AuditChange[];
  zedToken?: string;
  /** Used when the operation names no target (e.g. raw writes: the first change's resource). */
  target?: string;
  detail?: Record<string, unknown>;
  /** Further objects to find the entry by (an invitee, a user whose plan changed). */
  objects?: string[];
}

/**
 * auditDraft builds an entry for the current operation. Outside any operation (start-up,
 * CLI) the principal and actor are `system`.
 */
export function auditDraft(input: DraftInput): AuditDraft {
  const operation = currentOperation();
  const changes = input.changes ?? [];
  const target = operation?.target() ?? input.target ?? (changes[0] ? objectOf(changes[0].relationship) : undefined);
  const objects = new Set<string>(input.objects ?? []);
  if (target) objects.add(target);
  for (const change of changes) {
    const [resource, subject] = change.relationship.split("@") as [string, string];
    objects.add(objectOf(resource));
    objects.add(objectOf(subject));
  }
  const draft: AuditDraft = {
    at: input.at,
    principal: operation?.principal ?? "system",
    actor: operation?.actor ?? "system",
    action: operation?.action() ?? "system",
    changes,
    objects: [...objects],
  };
  if (target) draft.target = target;
  if (input.zedToken) draft.zedToken = input.zedToken;
  if (input.detail) draft.detail = input.detail;
  return draft;
}
