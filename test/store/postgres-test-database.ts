// postgres-test-database finds the PostgreSQL the tests may use (ACCORD_TEST_DATABASE_URL, or
// the one on this machine at 127.0.0.1:5432) and hands out fresh schemas, so runs never share
// state. Without a PostgreSQL, suites that need one skip with one line saying so.
import pg from "pg";
import { randomBytes } from "node:crypto";

export const TEST_DATABASE_URL = process.env.ACCORD_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let probed: Promise<boolean> | undefined;

/** postgresAvailable is true when the test PostgreSQL answers within two seconds. */
export function postgresAvailable(): Promise<boolean> {
  probed ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2_000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return probed;
}

export const SKIP_MESSAGE = `PostgreSQL tests skipped: no PostgreSQL answers at ${TEST_DATABASE_URL.replace(/\/\/[^@]*@/, "//")} (set ACCORD_TEST_DATABASE_URL)`;

/** freshSchema returns a new schema name; dropSchema removes it and everything in it. */
export function freshSchema(prefix = "accord_test"): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
