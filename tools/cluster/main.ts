// `npm run cluster`: the scale-out topology on this machine, from native binaries — a private
// PostgreSQL for SpiceDB, two SpiceDB nodes on it, another for Accord's app state, two Accord
// replicas in remote mode — with the endpoints
// and keys printed; Ctrl-C stops it all. Flags: --nodes N, --replicas N, --data DIR (keep
// both PostgreSQL clusters' data there, in DIR/spicedb and DIR/accord, across runs instead of a
// temporary folder).
import { parseArgs } from "node:util";
import { startCluster } from "./cluster.js";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "2" },
    replicas: { type: "string", default: "2" },
    data: { type: "string" },
  },
});

const count = (name: string, raw: string, min: number) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > 16) throw new Error(`--${name} must be a whole number from ${min} to 16`);
  return n;
};

const cluster = await startCluster({
  spicedbNodes: count("nodes", values.nodes!, 1),
  replicas: count("replicas", values.replicas!, 0),
  postgres: values.data ? { dir: values.data, keep: true } : undefined,
  log: (line) => process.stdout.write(`  ${line}\n`),
});

process.stdout.write(`
Accord cluster is up (remote mode on real SpiceDB + PostgreSQL):

  Accord replicas   ${cluster.replicas.map((r) => r.url).join("  ")}
  admin API key     ${cluster.adminKey}
  SpiceDB (gRPC)    ${cluster.spicedbEndpoints}   preshared key ${cluster.spicedbKey}
  PostgreSQL        ${cluster.datastoreUrl} (SpiceDB's, a cluster of its own)
                    ${cluster.databaseUrl} (Accord's app state)

  Try:  curl -s -X POST ${cluster.replicas[0]?.url ?? "http://<replica>"}/v1/check \\
          -H 'authorization: Bearer ${cluster.adminKey}' -H 'content-type: application/json' \\
          -d '{"resource":"project:p1","permission":"view","subject":"user:alice"}'

  Ctrl-C stops everything.
`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping the replicas, SpiceDB nodes and both PostgreSQL clusters…\n`);
  await cluster.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
