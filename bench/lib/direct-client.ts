// direct-client drives CheckPermission with the official @authzed/authzed-node client straight
// at a SpiceDB gRPC endpoint — the baseline remote-mode Accord is compared with (issue 8, item
// 5). NOTE: this is the one place outside src/engine/ that imports the client: the bench
// measures the client itself, as a user of SpiceDB without Accord would call it.
import { v1 } from "@authzed/authzed-node";
import type { CheckItem } from "../../src/engine/engine.js";

export async function directLoad(options: { endpoint: string; token: string; zedToken: string; items: CheckItem[]; connections: number; seconds: number }) {
  const client = v1.NewClient(options.token, options.endpoint, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
  const requests = options.items.map((item) =>
    v1.CheckPermissionRequest.create({
      resource: { objectType: item.resource.type, objectId: item.resource.id },
      permission: item.permission,
      subject: { object: { objectType: item.subject.type, objectId: item.subject.id }, optionalRelation: "" },
      // The same freshness Accord asks for by default: at least as fresh as the newest write.
      consistency: { requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: { token: options.zedToken } } },
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  let next = Math.floor(Math.random() * requests.length);
  const end = performance.now() + options.seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await client.promises.checkPermission(requests[next++ % requests.length]!);
        latencies.push(performance.now() - t);
      } catch {
        errors += 1;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: options.connections }, loop));
  const seconds = (performance.now() - t0) / 1000;
  client.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { rps: latencies.length / seconds, p50: at(50), p99: at(99), errors };
}
