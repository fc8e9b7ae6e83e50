// engine-process stands in for a SpiceDB cluster in the remote-mode comparison (issue 8, item 5):
// an embedded engine behind Accord's SpiceDB v1 gRPC endpoint, in a process of its own, as
// SpiceDB would be. Both Accord in remote mode and the official client talk to it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedEngine } from "../../src/engine/embedded/embedded-engine.js";
import { startGrpcEndpoint } from "../../src/grpc/grpc-endpoint.js";
import { ApiKeyRing } from "../../src/auth/api-keys.js";

const { schemaFile, token } = JSON.parse(process.argv[2]!) as { schemaFile: string; token: string };
const dataDir = mkdtempSync(join(tmpdir(), "accord-bench-engine-"));
const engine = await EmbeddedEngine.open({ schema: readFileSync(schemaFile, "utf8"), dataDir });
const keys = ApiKeyRing.fromConfig([{ name: "engine", key: token, scopes: ["admin"] }]);
const endpoint = await startGrpcEndpoint({ engine, keys: () => keys, port: 0 });

async function close() {
  await endpoint.close();
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.on("disconnect", () => void close());
process.on("message", (m: { id: number; request: { type: string } }) => {
  if (m.request.type === "close") {
    process.send!({ id: m.id, result: {} });
    void close();
  }
});
process.send!({ id: 0, result: { port: endpoint.port } });
