// DomainError is the closed set of failures a use-case reports. Each variant has one
// constructor below; http/problem.ts maps them to RFC 9457 responses in one exhaustive switch.
// Engine and store failures arrive in their own terms and are mapped here.
import { EngineError, type EngineFailure } from "../engine/engine.js";
import { StoreError } from "../store/store.js";

export type Failure =
  | { kind: "invalid_request"; detail: string; field?: string }
  | { kind: "unauthenticated"; detail: string }
  | { kind: "forbidden"; detail: string }
  | { kind: "plan_required"; detail: string }
  | { kind: "not_found"; detail: string }
  | { kind: "already_exists"; detail: string }
  | { kind: "already_member"; detail: string }
  | { kind: "invitation_pending"; detail: string }
  | { kind: "seat_limit_reached"; detail: string }
  | { kind: "precondition_failed"; detail: string }
  | { kind: "not_org_member"; detail: string }
  | { kind: "groups_not_allowed"; detail: string }
  | { kind: "invalid_role"; detail: string }
  /** A per-project scope or feature key the project or organization cannot hold (rule 13). */
  | { kind: "invalid_scope"; detail: string; field?: string }
  /** A project named for an organization's access that is not one of its projects (rule 14). */
  | { kind: "not_in_organization"; detail: string; field?: string }
  /** A content parent that would make a cycle, lies in another project, or nests too deep (rule 12). */
  | { kind: "invalid_parent"; detail: string }
  | { kind: "throttled"; detail: string; retryAfterSeconds?: number }
  | { kind: "unavailable"; detail: string; retryAfterSeconds?: number }
  /** The authorization engine (SpiceDB) cannot be reached or failed: nothing was decided. */
  | { kind: "engine_unavailable"; detail: string; retryAfterSeconds?: number }
  | { kind: "timeout"; detail: string };

export class DomainError extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(failure.detail);
    this.name = "DomainError";
    this.failure = failure;
  }
}

export const invalidRequest = (detail: string, field?: string) => new DomainError({ kind: "invalid_request", detail, field });
export const unauthenticated = (detail: string) => new DomainError({ kind: "unauthenticated", detail });
export const forbidden = (detail: string) => new DomainError({ kind: "forbidden", detail });
export const planRequired = (detail: string) => new DomainError({ kind: "plan_required", detail });
export const notFound = (detail: string) => new DomainError({ kind: "not_found", detail });
export const alreadyExists = (detail: string) => new DomainError({ kind: "already_exists", detail });
export const alreadyMember = (detail: string) => new DomainError({ kind: "already_member", detail });
export const invitationPending = (detail: string) => new DomainError({ kind: "invitation_pending", detail });
export const seatLimitReached = (detail: string) => new DomainError({ kind: "seat_limit_reached", detail });
export const preconditionFailed = (detail: string) => new DomainError({ kind: "precondition_failed", detail });
export const notOrgMember = (detail: string) => new DomainError({ kind: "not_org_member", detail });
export const groupsNotAllowed = (detail: string) => new DomainError({ kind: "groups_not_allowed", detail });
export const invalidRole = (detail: string) => new DomainError({ kind: "invalid_role", detail });
export const invalidScope = (detail: string, field?: string) => new DomainError({ kind: "invalid_scope", detail, field });
export const notInOrganization = (detail: string, field?: string) => new DomainError({ kind: "not_in_organization", detail, field });
export const invalidParent = (detail: string) => new DomainError({ kind: "invalid_parent", detail });
export const unavailable = (detail: string) => new DomainError({ kind: "unavailable", detail, retryAfterSeconds: 1 });
export const engineUnavailable = (detail: string) => new DomainError({ kind: "engine_unavailable", detail, retryAfterSeconds: 1 });

/**
 * fromEngineFailure turns an engine failure into the domain's terms. `field` names the request
 * field the engine complained about, when the caller knows it (e.g. "relationship").
 */
export function fromEngineFailure(failure: EngineFailure, field?: string): DomainError {
  switch (failure.kind) {
    case "invalid_argument":
      return invalidRequest(failure.message, field);
    case "failed_precondition":
      return preconditionFailed(failure.message);
    case "already_exists":
      return alreadyExists(failure.message);
    case "not_found":
      return notFound(failure.message);
    case "resource_exhausted":
      return new DomainError({ kind: "throttled", detail: failure.message, retryAfterSeconds: 1 });
    case "unavailable":
      return engineUnavailable(`authorization engine unavailable: ${failure.message}`);
    case "deadline_exceeded":
      return new DomainError({ kind: "timeout", detail: failure.message });
    case "internal":
      return engineUnavailable(`authorization engine error: ${failure.message}`);
  }
}

/** engineCall runs an engine call and reports its failure as a DomainError. */
export async function engineCall<T>(call: () => Promise<T>, field?: string | ((message: string) => string | undefined)): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof EngineError) {
      throw fromEngineFailure(err.failure, typeof field === "function" ? field(err.failure.message) : field);
    }
    throw err;
  }
}

/** fromStoreError turns a store failure into the domain's terms. */
export function fromStoreError(err: StoreError): DomainError {
  switch (err.kind) {
    case "unavailable":
      return unavailable(err.message);
  }
}

/**
 * reportingStoreErrors is a store as the domain uses it: every method's StoreError arrives as
 * its DomainError (a store that is down is `unavailable`: 503 with Retry-After). The
 * composition root hands this view to the use cases, the audited engine and the cross-replica
 * locks, so store failures are mapped in this one place.
 */
export function reportingStoreErrors<S extends object>(store: S): S {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (err) {
          throw err instanceof StoreError ? fromStoreError(err) : err;
        }
      };
    },
  });
}

/**
 * fieldOfCheck names the request field a schema complaint is about: SpiceDB says which
 * definition lacks which relation, and the definition is the resource's or the subject's.
 */
export function fieldOfCheck(item: { resource: { type: string }; subject: { type: string } }) {
  return (message: string): string | undefined => {
    const relation = /relation\/permission `[^`]*` not found under definition `([^`]*)`/.exec(message);
    if (relation) return relation[1] === item.resource.type ? "permission" : "subject";
    const definition = /definition `([^`]*)` not found/.exec(message);
    if (definition) return definition[1] === item.resource.type ? "resource" : "subject";
    if (/caveat|context/i.test(message)) return "context";
    return undefined;
  };
}
