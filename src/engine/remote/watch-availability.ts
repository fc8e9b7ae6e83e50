// watch-availability asks a SpiceDB whether it can stream changes at all. It opens a watch from
// now and waits for its first word: SpiceDB sends a checkpoint within its watch heartbeat (1 s
// by default) when it can watch, and answers UNIMPLEMENTED when its datastore cannot
// (PostgreSQL without track_commit_timestamp).
import type { v1 } from "@authzed/authzed-node";
import * as grpc from "@grpc/grpc-js";
import type { WatchAvailability } from "../engine.js";
import { watchRequest } from "../spicedb/watch-stream.js";

/** probeWatch answers whether the engine can watch, or undefined when it did not answer (down). */
export function probeWatch(client: v1.ZedClientInterface): Promise<WatchAvailability | undefined> {
  return new Promise<WatchAvailability | undefined>((resolve) => {
    const stream = client.watch(watchRequest(undefined)) as grpc.ClientReadableStream<v1.WatchResponse>;
    const done = (value: WatchAvailability | undefined) => {
      clearTimeout(timer);
      stream.removeAllListeners("data");
      stream.on("error", () => undefined);
      stream.cancel();
      resolve(value);
    };
    // No word for 3 s is not a "no": the stream opened; events only come with changes.
    const timer = setTimeout(() => done({ available: true }), 3_000);
    stream.on("data", () => done({ available: true }));
    stream.on("error", (err: grpc.ServiceError) => {
      if (err.code === grpc.status.UNIMPLEMENTED) {
        done({ available: false, reason: `SpiceDB serves no Watch (${err.details || "unimplemented"}): on PostgreSQL it needs track_commit_timestamp=on` });
      } else done(undefined);
    });
  });
}
