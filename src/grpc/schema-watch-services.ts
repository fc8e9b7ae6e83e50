// schema-watch-services serves SpiceDB's v1 SchemaService (read and write) and WatchService
// over the Engine port. Schema reflection and diffs are not served (UNIMPLEMENTED).
import { v1 } from "@authzed/authzed-node";
import type * as grpc from "@grpc/grpc-js";
import type { Engine } from "../engine/engine.js";
import { toZedToken } from "../engine/spicedb/consistency-codec.js";
import { toRelationshipUpdate } from "../engine/spicedb/relationship-codec.js";
import { serverStream, unary, unimplemented, type Authorizer } from "./service-definition.js";

export function schemaHandlers(engine: Engine, authorize: Authorizer): grpc.UntypedServiceImplementation {
  return {
    ReadSchema: unary(authorize, async (_request: v1.ReadSchemaRequest) =>
      v1.ReadSchemaResponse.create({ schemaText: await engine.readSchema() }),
    ),
    WriteSchema: unary(authorize, async (request: v1.WriteSchemaRequest) => {
      const written = await engine.writeSchema(request.schema);
      return v1.WriteSchemaResponse.create({ writtenAt: toZedToken(written.zedToken) });
    }),
    ReflectSchema: unimplemented("ReflectSchema"),
    ComputablePermissions: unimplemented("ComputablePermissions"),
    DependentRelations: unimplemented("DependentRelations"),
    DiffSchema: unimplemented("DiffSchema"),
  };
}

/** How long a watch stream with checkpoints stays quiet before it repeats its last one (SpiceDB's default heartbeat). */
const WATCH_HEARTBEAT_MS = 1_000;

export function watchHandlers(engine: Engine, authorize: Authorizer): grpc.UntypedServiceImplementation {
  return {
    Watch: serverStream(authorize, async (request: v1.WatchRequest, send: (r: v1.WatchResponse) => void, signal: AbortSignal) => {
      const types = new Set(request.optionalObjectTypes);
      const kinds = new Set(request.optionalUpdateKinds);
      const options = { checkpoints: kinds.has(v1.WatchKind.INCLUDE_CHECKPOINTS), schemaUpdates: kinds.has(v1.WatchKind.INCLUDE_SCHEMA_UPDATES) };
      // Like SpiceDB's watch heartbeat: a quiet stream repeats its last checkpoint every second
      // (no new revision is claimed: only what has been delivered), so a watcher knows it is alive.
      let lastCheckpoint: string | undefined;
      let lastSent = Date.now();
      const heartbeat = options.checkpoints
        ? setInterval(() => {
            if (lastCheckpoint === undefined || Date.now() - lastSent < WATCH_HEARTBEAT_MS) return;
            lastSent = Date.now();
            send(v1.WatchResponse.create({ updates: [], changesThrough: toZedToken(lastCheckpoint), isCheckpoint: true }));
          }, WATCH_HEARTBEAT_MS / 4)
        : undefined;
      try {
        for await (const event of engine.watch(request.optionalStartCursor?.token || undefined, signal, options)) {
          const updates = event.changes
            .filter((c) => types.size === 0 || types.has(c.relationship.resource.type))
            .map((c) => toRelationshipUpdate(c));
          if (event.checkpoint) lastCheckpoint = event.zedToken;
          lastSent = Date.now();
          send(v1.WatchResponse.create({ updates, changesThrough: toZedToken(event.zedToken), isCheckpoint: event.checkpoint === true, schemaUpdated: event.schemaChanged === true }));
        }
      } finally {
        clearInterval(heartbeat);
      }
    }),
  };
}
