// Pins key management (`accord keys`, hashes only, effective without restart) and graceful
// shutdown (SIGTERM drains in-flight requests and exits 0 well within 10 s).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer } from "./support/spawn-server.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "accord-keys-"));
  dirs.push(d);
  return d;
};

const accord = (args: string[], env: Record<string, string>) =>
  run(process.execPath, [join(ROOT, "bin", "accord.js"), ...args], { cwd: ROOT, env: { ...process.env, ...env } });

const schemaWith = (url: string, key: string) => fetch(`${url}/v1/schema`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);

describe("accord keys", () => {
  it("creates a key shown once and stored as a hash, lists it, and revokes it — all without a restart", async () => {
    const dataDir = tempDir();
    const env = { ACCORD_DATA_DIR: dataDir };
    const server = await spawnServer(env);
    try {
      const created = await accord(["keys", "create", "--name", "ops", "--scopes", "admin"], env);
      const key = created.stdout.trim();
      expect(key).toMatch(/^accord_[A-Za-z0-9_-]{20,}$/);
      expect(readFileSync(join(dataDir, "api-keys.json"), "utf8")).not.toContain(key);
      const listed = await accord(["keys", "list"], env);
      expect(listed.stdout).toMatch(/^ops\tadmin/m);
      expect(listed.stdout).not.toContain(key);
      let status = 0;
      for (let i = 0; i < 30 && status !== 200; i++) {
        status = await schemaWith(server.url, key);
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(200);
      await accord(["keys", "revoke", "ops"], env);
      for (let i = 0; i < 30 && status !== 401; i++) {
        await new Promise((r) => setTimeout(r, 200));
        status = await schemaWith(server.url, key);
      }
      expect(status).toBe(401);
    } finally {
      await server.kill("SIGKILL");
    }
  });

  it("refuses bad arguments and a duplicate name", async () => {
    const env = { ACCORD_DATA_DIR: tempDir() };
    await expect(accord(["keys", "create", "--name", "x", "--scopes", "root"], env)).rejects.toMatchObject({ code: 2 });
    await accord(["keys", "create", "--name", "dup", "--scopes", "check"], env);
    await expect(accord(["keys", "create", "--name", "dup", "--scopes", "check"], env)).rejects.toMatchObject({ code: 1 });
  });
});

describe("graceful shutdown", () => {
  it("on SIGTERM finishes in-flight requests, refuses none of them, and exits 0 quickly", async () => {
    const key = "shutdown-admin-key-0123456789";
    const server = await spawnServer({ ACCORD_DATA_DIR: tempDir(), ACCORD_API_KEYS: JSON.stringify([{ name: "a", key, scopes: ["admin"] }]) });
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      fetch(`${server.url}/v1/relationships`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ updates: [{ operation: "touch", relationship: `project:s${i}#viewer@user:u` }] }),
      }).then((r) => r.status),
    );
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    const exit = server.kill("SIGTERM");
    const statuses = await Promise.allSettled(inFlight);
    expect(await exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    // Every request that reached the server before SIGTERM was answered 200, none with an error.
    for (const s of statuses) if (s.status === "fulfilled") expect(s.value).toBe(200);
    expect(server.output()).toContain("shutting down");
  });
});
