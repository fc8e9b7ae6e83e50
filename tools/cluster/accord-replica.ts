// accord-replica runs Accord itself (src/main.ts, as `npm start` does) as a child process in
// remote mode: SpiceDB endpoint(s), a preshared key, app state in PostgreSQL. One call is one
// stateless replica; any number may share the same engine and database.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { freePort, restartable, type Restartable } from "./processes.js";

const ROOT = join(import.meta.dirname, "..", "..");

export interface AccordReplicaOptions {
  /** One endpoint, or several separated by commas (the replica balances over them). */
  spicedbEndpoint: string;
  spicedbToken: string;
  databaseUrl: string;
  /** ACCORD_API_KEYS, as the JSON list the replica reads. */
  apiKeys: Array<{ name: string; key: string; scopes: string[] }>;
  port?: number;
  /** More environment (log level, limits, …). */
  env?: Record<string, string>;
}

export interface AccordReplica extends Restartable {
  url: string;
  port: number;
}

export async function startAccordReplica(options: AccordReplicaOptions): Promise<AccordReplica> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const launch = () =>
    spawn(process.execPath, ["--import", "tsx", join(ROOT, "src", "main.ts")], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        HOST: "127.0.0.1",
        PORT: String(port),
        ACCORD_LOG_LEVEL: "warn",
        SPICEDB_ENDPOINT: options.spicedbEndpoint,
        SPICEDB_TOKEN: options.spicedbToken,
        SPICEDB_INSECURE: "true",
        DATABASE_URL: options.databaseUrl,
        ACCORD_API_KEYS: JSON.stringify(options.apiKeys),
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
  const process_ = await restartable(`Accord on ${url}`, launch, async () => (await fetch(`${url}/readyz`)).status === 200, "SIGTERM", 60_000);
  return { url, port, ...process_ };
}
