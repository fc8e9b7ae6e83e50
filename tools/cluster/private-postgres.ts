// private-postgres runs a PostgreSQL cluster of its own from the machine's binaries (initdb and
// postgres from `pg_config --bindir`): its own data folder, its own loopback port, its own
// socket folder, and `track_commit_timestamp=on` so that SpiceDB's Watch works on it. The
// shared cluster a machine may already run is never touched. PostgreSQL refuses to run as
// root, so under root the server runs as the `postgres` user (runuser), owning its folder.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort, waitFor } from "./processes.js";

export interface PrivatePostgresOptions {
  /** Folder for the data directory and socket; a fresh temporary one when left out. */
  dir?: string;
  port?: number;
  /** SpiceDB's Watch needs it (default on); off shows how Accord reports a datastore that cannot watch. */
  trackCommitTimestamp?: boolean;
  /** fsync off trades crash safety of the whole machine for speed (tests); a process crash loses nothing either way. */
  fsync?: boolean;
  /** Keep the folder when stopped (default: removed when it was a temporary one). */
  keep?: boolean;
}

export interface PrivatePostgres {
  host: string;
  port: number;
  dir: string;
  /** url names one database of this cluster, as postgres://postgres@127.0.0.1:<port>/<database>. */
  url(database: string): string;
  /** createDatabase creates a database (optionally from a template) unless it exists. */
  createDatabase(name: string, template?: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(database: string, sql: string, values?: unknown[]): Promise<T[]>;
  /** stop shuts the server down (fast mode) and waits; start brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** crash is PostgreSQL's immediate shutdown (SIGQUIT): connections drop at once, recovery runs at the next start. */
  crash(): Promise<void>;
  /** close stops the server and removes its folder unless asked to keep it. */
  close(): Promise<void>;
  running(): boolean;
  /** The postmaster's pid while it runs (its backends are its children). */
  pid(): number | undefined;
}

/** pgBinDir is where the machine's PostgreSQL server binaries are, or undefined without them. */
export function pgBinDir(): string | undefined {
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres")) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** DATASTORE_SETTINGS are the PostgreSQL settings SpiceDB's datastore needs (docker-compose.yml sets the same). */
export const DATASTORE_SETTINGS = { track_commit_timestamp: "on" } as const;

const asRoot = () => process.getuid?.() === 0;
/** asServerUser runs a PostgreSQL binary as the postgres user when this process is root. */
const asServerUser = (bin: string, args: string[]): [string, string[]] => (asRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args]);

export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const bin = pgBinDir();
  if (!bin) throw new Error("PostgreSQL server binaries not found (pg_config --bindir has no initdb/postgres): install PostgreSQL 14+");
  const temporary = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "accord-pg-"));
  const dataDir = join(dir, "data");
  mkdirSync(dir, { recursive: true });
  if (asRoot()) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })));
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    const [cmd, args] = asServerUser(join(bin, "initdb"), ["-D", dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"]);
    execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  }
  const port = options.port ?? (await freePort());
  const settings = [
    ["listen_addresses", "127.0.0.1"],
    ["unix_socket_directories", dir],
    ["track_commit_timestamp", options.trackCommitTimestamp === false ? "off" : DATASTORE_SETTINGS.track_commit_timestamp],
    ["fsync", options.fsync === false ? "off" : "on"],
    ["max_connections", "300"],
    ["shared_buffers", "128MB"],
  ];
  let child: ChildProcess | undefined;
  let log = "";
  const host = "127.0.0.1";
  const url = (database: string) => `postgres://postgres@${host}:${port}/${database}`;

  async function query<T extends pg.QueryResultRow>(database: string, sql: string, values?: unknown[]): Promise<T[]> {
    const client = new pg.Client({ connectionString: url(database), connectionTimeoutMillis: 2_000 });
    client.on("error", () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql, values)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async function start(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) return;
    log = "";
    const [cmd, args] = asServerUser(join(bin!, "postgres"), ["-D", dataDir, "-p", String(port), ...settings.flatMap(([k, v]) => ["-c", `${k}=${v}`])]);
    const started = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], detached: false });
    started.stdout!.on("data", (d: Buffer) => (log += d.toString()));
    started.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    child = started;
    await waitFor(`PostgreSQL on port ${port}`, 30_000, async () => {
      if (started.exitCode !== null) throw new Error(`PostgreSQL exited with ${started.exitCode}:\n${log}`);
      await query("postgres", "SELECT 1");
      return true;
    });
  }

  async function halt(signal: NodeJS.Signals): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    // Under runuser the postmaster is runuser's child: signal it by the pid in its pid file.
    const pid = postmasterPid(dataDir);
    if (pid) process.kill(pid, signal);
    else running.kill(signal);
    await exited;
  }

  await start();
  return {
    host,
    port,
    dir,
    url,
    query,
    async createDatabase(name, template) {
      const exists = await query("postgres", "SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.length === 0) await query("postgres", `CREATE DATABASE ${pg.escapeIdentifier(name)}${template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : ""}`);
    },
    async dropDatabase(name) {
      await query("postgres", `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    },
    stop: () => halt("SIGINT"), // SIGINT is PostgreSQL's "fast" shutdown
    start,
    crash: () => halt("SIGQUIT"),
    async close() {
      await halt("SIGINT");
      if (temporary && !options.keep) rmSync(dir, { recursive: true, force: true });
    },
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    pid: () => postmasterPid(dataDir),
  };
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
