// error-codec maps SpiceDB's errors (from the FFI or from grpc-js) to the port's EngineError,
// and a failure back to the gRPC status it is served with.
import { EngineError, type EngineFailure } from "../engine.js";

// gRPC status names as they appear in "rpc error: code = X desc = ..." and in grpc-js codes.
const FAILURE_BY_CODE: Record<string, EngineFailure["kind"]> = {
  InvalidArgument: "invalid_argument",
  FailedPrecondition: "failed_precondition",
  AlreadyExists: "already_exists",
  NotFound: "not_found",
  ResourceExhausted: "resource_exhausted",
  Unavailable: "unavailable",
  DeadlineExceeded: "deadline_exceeded",
  OutOfRange: "invalid_argument",
  Aborted: "failed_precondition",
  Canceled: "unavailable",
};
const GRPC_CODE_NAMES = [
  "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
  "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
  "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
];

const CAVEAT_CONTEXT_ERROR = /^(could not convert context parameter|unknown parameter `)/;

/**
 * toEngineError maps an error thrown by the FFI ("rpc error: code = X desc = Y") or by grpc-js
 * ({code: number, details}) to an EngineError. Unknown shapes become "internal".
 */
export function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const e = err as { code?: unknown; details?: unknown; message?: unknown };
  let codeName: string | undefined;
  let message = typeof e?.message === "string" ? e.message : String(err);
  const match = /rpc error: code = (\w+) desc = ([\s\S]*)$/.exec(message);
  if (match) {
    codeName = match[1];
    message = match[2] ?? message;
  } else if (typeof e?.code === "number") {
    codeName = GRPC_CODE_NAMES[e.code];
    if (typeof e.details === "string" && e.details) message = e.details;
  }
  // NOTE: a write whose caveat context has the wrong shape (a parameter of the wrong type, or
  // one the caveat does not declare) comes back with no status or with Unknown; it is the
  // caller's mistake (checks report the same as InvalidArgument), never a 5xx.
  if ((!codeName || codeName === "Unknown") && CAVEAT_CONTEXT_ERROR.test(message)) return new EngineError({ kind: "invalid_argument", message });
  const kind: EngineFailure["kind"] = (codeName ? FAILURE_BY_CODE[codeName] : undefined) ?? "internal";
  // SpiceDB reports a failed precondition of a write as FailedPrecondition too; schema
  // lookups (unknown definition or relation) are FailedPrecondition as well, but they are the
  // caller's mistake, so they are reported as invalid arguments.
  if (kind === "failed_precondition" && /not found|unknown|does not exist|not allowed on relation|not a valid/i.test(message)) {
    return new EngineError({ kind: "invalid_argument", message });
  }
  return new EngineError({ kind, message });
}

const GRPC_CODE_BY_FAILURE: Record<EngineFailure["kind"], number> = {
  invalid_argument: 3,
  deadline_exceeded: 4,
  not_found: 5,
  already_exists: 6,
  resource_exhausted: 8,
  failed_precondition: 9,
  internal: 13,
  unavailable: 14,
};

/** toGrpcCode is the inverse of toEngineError: the gRPC status a failure is served with. */
export function toGrpcCode(kind: EngineFailure["kind"]): number {
  return GRPC_CODE_BY_FAILURE[kind];
}
