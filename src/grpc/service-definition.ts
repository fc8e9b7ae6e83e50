// service-definition turns authzed-node's protobuf-ts service descriptors into grpc-js service
// definitions (binary (de)serializers from toBinary/fromBinary), and wraps plain async handlers
// into grpc-js ones: bearer check first, EngineErrors out as their gRPC status codes.
import * as grpc from "@grpc/grpc-js";
import { EngineError } from "../engine/engine.js";
import { toGrpcCode } from "../engine/spicedb/error-codec.js";
import { RequestError } from "./grpc-codec.js";

interface MessageType {
  toBinary(message: object): Uint8Array;
  fromBinary(bytes: Uint8Array): object;
}

/** ServiceDescriptor is the part of protobuf-ts's ServiceType this adapter reads. */
export interface ServiceDescriptor {
  typeName: string;
  methods: ReadonlyArray<{ name: string; serverStreaming: boolean; clientStreaming: boolean; I: MessageType; O: MessageType }>;
}

export function toServiceDefinition(service: ServiceDescriptor): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const method of service.methods) {
    definition[method.name] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.clientStreaming,
      responseStream: method.serverStreaming,
      requestSerialize: (value: object) => Buffer.from(method.I.toBinary(value)),
      requestDeserialize: (bytes: Buffer) => method.I.fromBinary(bytes),
      responseSerialize: (value: object) => Buffer.from(method.O.toBinary(value)),
      responseDeserialize: (bytes: Buffer) => method.O.fromBinary(bytes),
    };
  }
  return definition;
}

/** GrpcCaller is who made an accepted call (the API key's name) and what it called (`/<service>/<method>`). */
export interface GrpcCaller {
  keyName: string;
  method: string;
}

/**
 * CallScope runs an accepted call's handler within its caller's scope; the composition root
 * uses it to open the operation context that audit entries are made from.
 */
export type CallScope = <T>(caller: GrpcCaller, work: () => Promise<T>) => Promise<T>;

/** Authorizer accepts a call by its metadata (the handler then runs through `run`) or rejects it with a status error. */
export type Authorizer = (metadata: grpc.Metadata, method: string) => { denied: Partial<grpc.StatusObject> } | { run: <T>(work: () => Promise<T>) => Promise<T> };

export type UnaryHandler<Req, Res> = (request: Req) => Promise<Res>;
/** StreamHandler sends responses with `send` until done; the signal aborts when the client leaves. */
export type StreamHandler<Req, Res> = (request: Req, send: (response: Res) => void, signal: AbortSignal) => Promise<void>;

export function toStatus(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof EngineError) return { code: toGrpcCode(err.failure.kind), details: err.failure.message };
  if (err instanceof RequestError) return { code: grpc.status.INVALID_ARGUMENT, details: err.message };
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

export function unary<Req, Res>(authorize: Authorizer, handler: UnaryHandler<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const access = authorize(call.metadata, call.getPath());
    if ("denied" in access) return callback(access.denied);
    access.run(() => handler(call.request)).then(
      (response) => callback(null, response),
      (err: unknown) => callback(toStatus(err)),
    );
  };
}

export function serverStream<Req, Res>(authorize: Authorizer, handler: StreamHandler<Req, Res>): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    const access = authorize(call.metadata, call.getPath());
    if ("denied" in access) return void call.emit("error", access.denied);
    const controller = new AbortController();
    call.on("cancelled", () => controller.abort());
    access.run(() => handler(call.request, (response) => call.write(response), controller.signal)).then(
      () => call.end(),
      (err: unknown) => {
        if (!controller.signal.aborted) call.emit("error", toStatus(err));
      },
    );
  };
}

/** unimplemented answers every method of a service this endpoint does not serve. */
export function unimplemented(method: string): grpc.UntypedHandleCall {
  return ((call: { emit?: (e: string, s: object) => void }, callback?: (s: object) => void) => {
    const status = { code: grpc.status.UNIMPLEMENTED, details: `${method} is not served by Accord's embedded endpoint` };
    if (callback) callback(status);
    else call.emit?.("error", status);
  }) as grpc.UntypedHandleCall;
}
