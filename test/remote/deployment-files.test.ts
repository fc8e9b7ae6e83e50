// Pins the wiring of docker-compose.yml and the Dockerfile (no Docker engine runs here): the
// services, their environment, healthchecks and start order, and the image's build rules —
// and that compose runs what `npm run cluster` runs natively: SpiceDB's pinned version and
// flags, PostgreSQL's settings, two nodes and two replicas.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { DATASTORE_SETTINGS } from "../../tools/cluster/private-postgres.js";
import { pinnedSpicedbVersion, SPICEDB_OFFLINE_FLAGS, SPICEDB_SERVE_FLAGS } from "../../tools/cluster/spicedb-node.js";

const ROOT = join(import.meta.dirname, "..", "..");
// biome-ignore lint/suspicious/noExplicitAny: the parsed compose file is explored field by field and the assertions type it
const compose: any = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8"), { merge: true });
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const services = compose.services;

/** interpolate resolves compose's ${VAR:-default} the way `docker compose` does with VAR unset. */
const interpolate = (value: string) => value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_m, _name, fallback) => fallback ?? "");
const env = (service: string): Record<string, string> =>
  Object.fromEntries(Object.entries(services[service].environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));

describe("docker-compose.yml", () => {
  const spicedbNodes = Object.keys(services).filter((name) => services[name].command?.[0] === "serve");
  const replicas = Object.keys(services).filter((name) => services[name].build === ".");

  it("runs the native cluster's topology: SpiceDB's PostgreSQL, a one-shot migration, two SpiceDB nodes, Accord's PostgreSQL, two Accord replicas", () => {
    expect(Object.keys(services).sort()).toEqual(["accord-1", "accord-2", "postgres", "spicedb-1", "spicedb-2", "spicedb-migrate", "spicedb-postgres"]);
    expect(spicedbNodes.sort()).toEqual(["spicedb-1", "spicedb-2"]);
    expect(replicas.sort()).toEqual(["accord-1", "accord-2"]);
    expect(services["spicedb-migrate"].command.slice(0, 3)).toEqual(["datastore", "migrate", "head"]);
    expect(services["spicedb-migrate"].restart).toBe("no");
  });

  it("pins the SpiceDB version tools/spicedb/go.mod builds, with the native harness's flags", () => {
    const version = pinnedSpicedbVersion(readFileSync(join(ROOT, "tools", "spicedb", "go.mod"), "utf8"));
    for (const name of ["spicedb-migrate", ...spicedbNodes]) expect(services[name].image, name).toBe(`authzed/spicedb:${version}`);
    for (const flag of SPICEDB_OFFLINE_FLAGS.migrate) expect(services["spicedb-migrate"].command).toContain(flag);
    for (const name of spicedbNodes) expect(services[name].command.slice(1).sort(), name).toEqual([...SPICEDB_SERVE_FLAGS].sort());
  });

  it("runs SpiceDB's PostgreSQL with the settings SpiceDB's Watch needs", () => {
    const command: string[] = services["spicedb-postgres"].command;
    for (const [setting, value] of Object.entries(DATASTORE_SETTINGS)) expect(command.join(" ")).toContain(`-c ${setting}=${value}`);
  });

  it("starts each service only when what it needs is healthy or done", () => {
    expect(services["spicedb-migrate"].depends_on).toEqual({ "spicedb-postgres": { condition: "service_healthy" } });
    for (const name of spicedbNodes) expect(services[name].depends_on).toEqual({ "spicedb-migrate": { condition: "service_completed_successfully" } });
    for (const name of replicas) {
      expect(services[name].depends_on).toEqual({ postgres: { condition: "service_healthy" }, "spicedb-1": { condition: "service_healthy" }, "spicedb-2": { condition: "service_healthy" } });
      expect(services[name].healthcheck.test.join(" ")).toContain("/readyz");
    }
    for (const name of ["postgres", "spicedb-postgres", ...spicedbNodes]) expect(services[name].healthcheck?.test, name).toBeDefined();
    for (const name of spicedbNodes) expect(services[name].healthcheck.test.join(" ")).toContain("50051");
  });

  it("gives every node the postgres datastore in a cluster of its own, and every replica both nodes, the same key and Accord's PostgreSQL", () => {
    const migrate = env("spicedb-migrate");
    for (const name of spicedbNodes) {
      const node = env(name);
      expect(node.SPICEDB_DATASTORE_ENGINE).toBe("postgres");
      expect(node.SPICEDB_DATASTORE_CONN_URI).toBe(migrate.SPICEDB_DATASTORE_CONN_URI);
      const datastore = new URL(node.SPICEDB_DATASTORE_CONN_URI!);
      expect(datastore.host).toBe("spicedb-postgres:5432");
      const pg = env("spicedb-postgres");
      expect(datastore.pathname).toBe(`/${pg.POSTGRES_DB}`);
      expect(datastore.username).toBe(pg.POSTGRES_USER);
      expect(datastore.password).toBe(pg.POSTGRES_PASSWORD);
      expect(node.SPICEDB_GRPC_PRESHARED_KEY).toBeTruthy();
    }
    const key = env("spicedb-1").SPICEDB_GRPC_PRESHARED_KEY;
    for (const name of replicas) {
      const accord = env(name);
      expect(accord.SPICEDB_TOKEN).toBe(key);
      expect(accord.SPICEDB_ENDPOINT!.split(",").sort()).toEqual(spicedbNodes.map((n) => `${n}:50051`).sort());
      const database = new URL(accord.DATABASE_URL!);
      // Not SpiceDB's cluster: another writer there would keep own writes from being proven at once.
      expect(database.host).toBe("postgres:5432");
      expect(database.host).not.toBe(new URL(migrate.SPICEDB_DATASTORE_CONN_URI!).host);
      const pg = env("postgres");
      expect(database.pathname).toBe(`/${pg.POSTGRES_DB}`);
      expect(database.username).toBe(pg.POSTGRES_USER);
      expect(database.password).toBe(pg.POSTGRES_PASSWORD);
    }
  });

  it("gives each replica an environment its own configuration accepts, in remote mode, on its own host port", () => {
    const ports = new Set<string>();
    for (const name of replicas) {
      const config = loadConfig(env(name));
      expect(config.spicedb).toEqual({ endpoint: "spicedb-1:50051,spicedb-2:50051", token: env("spicedb-1").SPICEDB_GRPC_PRESHARED_KEY, insecure: true });
      expect(config.databaseUrl).toBe(env(name).DATABASE_URL);
      expect(config.apiKeys?.[0]?.scopes).toContain("admin");
      expect(config.host).toBe("0.0.0.0");
      const [published, inside] = String(services[name].ports[0]).split(":");
      expect(inside).toBe(String(config.port));
      ports.add(published!);
    }
    expect(ports.size).toBe(replicas.length);
  });
});

describe("Dockerfile", () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1]!;

  it("is multi-stage and installs production dependencies only, from the lock file", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/COPY package\.json package-lock\.json/);
    expect(runtime).toMatch(/COPY --from=deps \/app\/node_modules/);
  });

  it("runs as a non-root user with a healthcheck on /readyz", () => {
    const user = /^USER (\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/readyz/m);
    expect(runtime).toMatch(/^EXPOSE 8080$/m);
    expect(runtime).toMatch(/^CMD .*src\/main\.ts/m);
  });

  it("copies only files that exist, and keeps local state out of the build context", () => {
    for (const match of runtime.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of match[1]!.split(/\s+/)) expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
    for (const entry of ["node_modules", "data", ".git", ".env"]) expect(ignored).toContain(entry);
  });
});
