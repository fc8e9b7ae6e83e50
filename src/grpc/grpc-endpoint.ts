// GrpcEndpoint serves the standard SpiceDB v1 gRPC API (Permissions, Schema, Watch) for an
// Engine, so `zed` and every authzed client can talk to embedded Accord, and so can Accord
// replicas in remote mode. The bearer token must be an API key with the admin scope; the key
// ring compares hashes in constant time. Each accepted call runs in its caller's scope (the
// `scope` option), so an audited engine records who made each change.
import { v1 } from "@authzed/authzed-node";
import * as grpc from "@grpc/grpc-js";
import type { ApiKeyRing } from "../auth/api-keys.js";
import type { Engine } from "../engine/engine.js";
import { permissionsHandlers } from "./permissions-service.js";
import { schemaHandlers, watchHandlers } from "./schema-watch-services.js";
import { toServiceDefinition, type Authorizer, type CallScope, type ServiceDescriptor } from "./service-definition.js";

export interface GrpcEndpointOptions {
  engine: Engine;
  /** The current key ring (a function, so reloaded key files apply at once). */
  keys: () => Pick<ApiKeyRing, "identify">;
  /** Runs each accepted call's handler (e.g. inside the audit context of its key); by default, as is. */
  scope?: CallScope;
  host?: string;
  /** 0 picks a free port. */
  port: number;
}

export interface GrpcEndpoint {
  port: number;
  /** close stops accepting calls and cancels the ones in flight. */
  close(): Promise<void>;
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/i;

const unscoped: CallScope = (_caller, work) => work();

export function adminBearer(keys: () => Pick<ApiKeyRing, "identify">, scope: CallScope = unscoped): Authorizer {
  return (metadata, method) => {
    const header = metadata.get("authorization")[0];
    const match = typeof header === "string" ? BEARER.exec(header) : null;
    const identity = match ? keys().identify(match[1]!) : undefined;
    if (!identity) return { denied: { code: grpc.status.UNAUTHENTICATED, details: "missing or invalid bearer token: use an Accord API key" } };
    if (!identity.scopes.has("admin")) return { denied: { code: grpc.status.PERMISSION_DENIED, details: "the gRPC endpoint needs an API key with the admin scope" } };
    return { run: (work) => scope({ keyName: identity.name, method }, work) };
  };
}

export async function startGrpcEndpoint(options: GrpcEndpointOptions): Promise<GrpcEndpoint> {
  const server = new grpc.Server();
  const authorize = adminBearer(options.keys, options.scope);
  const services: Array<[ServiceDescriptor, grpc.UntypedServiceImplementation]> = [
    [v1.PermissionsService as unknown as ServiceDescriptor, permissionsHandlers(options.engine, authorize)],
    [v1.SchemaService as unknown as ServiceDescriptor, schemaHandlers(options.engine, authorize)],
    [v1.WatchService as unknown as ServiceDescriptor, watchHandlers(options.engine, authorize)],
  ];
  for (const [descriptor, handlers] of services) server.addService(toServiceDefinition(descriptor), handlers);
  const host = options.host ?? "127.0.0.1";
  const address = host.includes(":") ? `[${host}]:${options.port}` : `${host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}
