// audited-scope runs each gRPC call in an audit operation of its own: the calling key is its
// principal and actor, and the action names the method, so writes through the SpiceDB API are
// in the audit log like writes over HTTP.
import { EngineError } from "../engine/engine.js";
import { runInOperation } from "../domain/audit/audit-context.js";
import { DomainError } from "../domain/errors.js";
import type { CallScope } from "./service-definition.js";

export const auditedCallScope: CallScope = async (caller, work) => {
  const principal = `key:${caller.keyName}`;
  try {
    return await runInOperation({ principal, actor: principal, action: () => `gRPC ${caller.method}`, target: () => undefined }, work);
  } catch (err) {
    // An audit log that cannot be written changed nothing: UNAVAILABLE tells clients to retry.
    if (err instanceof DomainError && (err.failure.kind === "unavailable" || err.failure.kind === "engine_unavailable")) throw new EngineError({ kind: "unavailable", message: err.message });
    throw err;
  }
};
