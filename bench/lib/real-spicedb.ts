// real-spicedb stands up the real engine for the bench: a private PostgreSQL (tools/cluster)
// and one SpiceDB node (the binary tools/spicedb/go.mod pins) on a fresh datastore database,
// plus what the capacity table reads off them — PostgreSQL's size and SpiceDB's RSS — and the
// bulk import API (ImportBulkRelationships) to load 100k–1M relationships.
// NOTE: the bench, like direct-client.ts, calls the official client itself: it measures the
// engine as a user of SpiceDB without Accord would load it.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import { startPrivatePostgres, type PrivatePostgres } from "../../tools/cluster/private-postgres.js";
import { migrateDatastore, pinnedSpicedbVersion, spicedbBinary, startSpiceDbNode, type SpiceDbNode } from "../../tools/cluster/spicedb-node.js";

const ROOT = join(import.meta.dirname, "..", "..");
export const SPICEDB_VERSION = pinnedSpicedbVersion(readFileSync(join(ROOT, "tools", "spicedb", "go.mod"), "utf8"));

/** realSpicedbAvailable: the pinned binary is built, or Go is here to build it, and PostgreSQL's server binaries are. */
export function realSpicedbAvailable(): boolean {
  const has = (cmd: string) => {
    try {
      execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  return (existsSync(join(ROOT, ".cache", "spicedb", SPICEDB_VERSION, "spicedb")) || has("go")) && has("pg_config");
}

export interface RealSpiceDb {
  endpoint: string;
  token: string;
  node: SpiceDbNode;
  postgres: PrivatePostgres;
  database: string;
  /** datastoreSizeMb: pg_database_size of the datastore. */
  datastoreSizeMb(): Promise<number>;
  rssMb(): number;
  close(): Promise<void>;
}

export async function startRealSpiceDb(token: string, postgres?: PrivatePostgres, database = "spicedb"): Promise<RealSpiceDb> {
  const binary = spicedbBinary();
  const pg = postgres ?? (await startPrivatePostgres());
  await pg.createDatabase(database);
  const uri = `${pg.url(database)}?sslmode=disable`;
  migrateDatastore(binary, uri);
  const node = await startSpiceDbNode({ binary, datastoreUri: uri, presharedKey: token });
  return {
    endpoint: node.endpoint,
    token,
    node,
    postgres: pg,
    database,
    async datastoreSizeMb() {
      const [row] = await pg.query<{ bytes: string }>("postgres", "SELECT pg_database_size($1)::text AS bytes", [database]);
      return Math.round(Number(row!.bytes) / 2 ** 20);
    },
    rssMb: () => rssOf(node.pid()),
    async close() {
      await node.kill("SIGTERM");
      if (!postgres) await pg.close();
    },
  };
}

/** rssOf reads a process's resident set from /proc (Linux), in MB; 0 when it cannot. */
export function rssOf(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

/**
 * bulkImport streams relationship strings (`type:id#rel@type:id[#rel]`) through
 * ImportBulkRelationships, 1,000 per message and at most 100,000 per stream: the client gives one
 * call 30 s, and a million relationships take longer than that in one stream here.
 */
export async function bulkImport(endpoint: string, token: string, relationships: string[]): Promise<{ loaded: number; seconds: number }> {
  const client = v1.NewClient(token, endpoint, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
  const started = performance.now();
  const perStream = 100_000;
  try {
    let loaded = 0;
    for (let from = 0; from < relationships.length; from += perStream) {
      const part = relationships.slice(from, from + perStream);
      loaded += await new Promise<number>((resolve, reject) => {
        const stream = client.importBulkRelationships((err, response) => (err ? reject(err) : resolve(Number(response?.numLoaded ?? 0))));
        for (let i = 0; i < part.length; i += 1000) {
          stream.write(v1.ImportBulkRelationshipsRequest.create({ relationships: part.slice(i, i + 1000).map(toRelationship) }));
        }
        stream.end();
      });
    }
    return { loaded, seconds: (performance.now() - started) / 1000 };
  } finally {
    client.close();
  }
}

function toRelationship(text: string): v1.Relationship {
  const match = /^([^:]+):([^#]+)#([^@]+)@([^:]+):([^#]+)(?:#(.+))?$/.exec(text);
  if (!match) throw new Error(`not a relationship: ${text}`);
  const [, resourceType, resourceId, relation, subjectType, subjectId, subjectRelation] = match;
  return v1.Relationship.create({
    resource: { objectType: resourceType!, objectId: resourceId! },
    relation: relation!,
    subject: { object: { objectType: subjectType!, objectId: subjectId! }, optionalRelation: subjectRelation ?? "" },
  });
}
