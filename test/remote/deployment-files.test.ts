// Pins the wiring of docker-compose.yml and the Dockerfile (no Docker engine runs here): the
// services, their environment, healthchecks and start order, and the image's build rules.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";

const ROOT = join(import.meta.dirname, "..", "..");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const compose: any = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8"), { merge: true });
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const services = compose.services;

/** interpolate resolves compose's ${VAR:-default} the way `docker compose` does with VAR unset. */
const interpolate = (value: string) => value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_m, _name, fallback) => fallback ?? "");
const env = (service: string): Record<string, string> =>
  Object.fromEntries(Object.entries(services[service].environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));

describe("docker-compose.yml", () => {
  it("runs PostgreSQL, a one-shot SpiceDB migration, SpiceDB and Accord", () => {
    expect(Object.keys(services).sort()).toEqual(["accord", "postgres", "spicedb", "spicedb-migrate"]);
    expect(services["spicedb-migrate"].command).toEqual(["datastore", "migrate", "head"]);
    expect(services["spicedb-migrate"].restart).toBe("no");
    expect(services.spicedb.command).toEqual(["serve"]);
    expect(services.spicedb.image).toBe(services["spicedb-migrate"].image);
    expect(services.accord.build).toBe(".");
  });

  it("starts each service only when what it needs is healthy or done", () => {
    expect(services["spicedb-migrate"].depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(services.spicedb.depends_on).toEqual({ "spicedb-migrate": { condition: "service_completed_successfully" } });
    expect(services.accord.depends_on).toEqual({ postgres: { condition: "service_healthy" }, spicedb: { condition: "service_healthy" } });
    for (const name of ["postgres", "spicedb", "accord"]) expect(services[name].healthcheck?.test, name).toBeDefined();
    expect(services.accord.healthcheck.test.join(" ")).toContain("/readyz");
    expect(services.spicedb.healthcheck.test.join(" ")).toContain("50051");
  });

  it("gives SpiceDB and its migration the postgres datastore, and Accord the same key and a database of its own", () => {
    const spicedb = env("spicedb");
    const migrate = env("spicedb-migrate");
    const accord = env("accord");
    expect(spicedb.SPICEDB_DATASTORE_ENGINE).toBe("postgres");
    expect(migrate.SPICEDB_DATASTORE_CONN_URI).toBe(spicedb.SPICEDB_DATASTORE_CONN_URI);
    expect(new URL(spicedb.SPICEDB_DATASTORE_CONN_URI!).host).toBe("postgres:5432");
    expect(spicedb.SPICEDB_GRPC_PRESHARED_KEY).toBeTruthy();
    expect(accord.SPICEDB_TOKEN).toBe(spicedb.SPICEDB_GRPC_PRESHARED_KEY);
    expect(accord.SPICEDB_ENDPOINT).toBe("spicedb:50051");
    const database = new URL(accord.DATABASE_URL!);
    expect(database.host).toBe("postgres:5432");
    expect(database.pathname).not.toBe(new URL(spicedb.SPICEDB_DATASTORE_CONN_URI!).pathname);
    expect(compose.configs["postgres-init"].content).toContain(`CREATE DATABASE ${new URL(spicedb.SPICEDB_DATASTORE_CONN_URI!).pathname.slice(1)}`);
    const pg = env("postgres");
    expect(database.username).toBe(pg.POSTGRES_USER);
    expect(database.password).toBe(pg.POSTGRES_PASSWORD);
  });

  it("gives Accord an environment its own configuration accepts, in remote mode", () => {
    const config = loadConfig(env("accord"));
    expect(config.spicedb).toEqual({ endpoint: "spicedb:50051", token: env("spicedb").SPICEDB_GRPC_PRESHARED_KEY, insecure: true });
    expect(config.databaseUrl).toBe(env("accord").DATABASE_URL);
    expect(config.apiKeys?.[0]?.scopes).toContain("admin");
    expect(config.host).toBe("0.0.0.0");
    expect(services.accord.ports).toEqual([`${config.port}:${config.port}`]);
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
