// watch-stream is SpiceDB's Watch as both engines read it: the request (where to start, which
// kinds of events), the stream read until the signal aborts and cancelled either way, and each
// response turned into the port's WatchEvent. Only the client it runs over differs: the
// embedded library's unix-socket proxy, or the remote engine's gRPC channel.
import { v1 } from "@authzed/authzed-node";
import type { ClientReadableStream } from "@grpc/grpc-js";
import type { WatchEvent, WatchOptions } from "../engine.js";
import { fromRelationship } from "./relationship-codec.js";

/** watchKinds: what a WatchRequest asks for, given Accord's watch options. */
export function watchKinds(options: WatchOptions = {}): v1.WatchKind[] {
  if (!options.checkpoints && !options.schemaUpdates) return [];
  const kinds = [v1.WatchKind.INCLUDE_RELATIONSHIP_UPDATES];
  if (options.checkpoints) kinds.push(v1.WatchKind.INCLUDE_CHECKPOINTS);
  if (options.schemaUpdates) kinds.push(v1.WatchKind.INCLUDE_SCHEMA_UPDATES);
  return kinds;
}

/** watchRequest asks for changes after `fromToken` (from now without one), of the kinds the options name. */
export function watchRequest(fromToken: string | undefined, options?: WatchOptions): v1.WatchRequest {
  return v1.WatchRequest.create({
    optionalObjectTypes: [],
    optionalStartCursor: fromToken ? { token: fromToken } : undefined,
    optionalUpdateKinds: watchKinds(options),
  });
}

/**
 * watchResponses yields WatchResponses until the signal aborts or the stream ends. The stream has
 * no deadline (it is long-lived); an error after the signal aborted is the cancellation's own and
 * ends the stream quietly, any other is thrown through `mapError`.
 */
export async function* watchResponses(
  client: v1.ZedClientInterface,
  request: v1.WatchRequest,
  signal: AbortSignal,
  mapError: (err: unknown) => unknown = (err) => err,
): AsyncGenerator<v1.WatchResponse> {
  const stream = client.watch(request) as ClientReadableStream<v1.WatchResponse>;
  const cancel = () => stream.cancel();
  signal.addEventListener("abort", cancel, { once: true });
  try {
    for await (const response of stream as AsyncIterable<v1.WatchResponse>) {
      if (signal.aborted) return;
      yield response;
    }
  } catch (err) {
    if (!signal.aborted) throw mapError(err);
  } finally {
    signal.removeEventListener("abort", cancel);
    stream.cancel();
  }
}

/** watchEventOf turns one WatchResponse into Accord's WatchEvent. */
export function watchEventOf(response: v1.WatchResponse): WatchEvent {
  const event: WatchEvent = {
    zedToken: response.changesThrough?.token ?? "",
    changes: response.updates.map((u) => ({
      operation: u.operation === v1.RelationshipUpdate_Operation.DELETE ? "delete" : "touch",
      relationship: fromRelationship(u.relationship!),
    })),
  };
  if (response.isCheckpoint) event.checkpoint = true;
  if (response.schemaUpdated) event.schemaChanged = true;
  return event;
}
