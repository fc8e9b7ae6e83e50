// Pins embedded durability: every acknowledged write survives kill -9 and restart, and the
// first start without configured keys generates an admin key whose hash only is stored.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer } from "./support/spawn-server.js";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "accord-durable-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const KEY = "durability-admin-key-0123456789";
const KEYS = JSON.stringify([{ name: "admin", key: KEY, scopes: ["admin"] }]);

async function api(url: string, method: string, path: string, body?: unknown, key = KEY) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("embedded durability", () => {
  it("keeps every acknowledged write across kill -9 and restart", async () => {
    const dataDir = tempDir();
    const env = { ACCORD_DATA_DIR: dataDir, ACCORD_API_KEYS: KEYS };
    const first = await spawnServer(env);
    // Fire writes concurrently and kill the process while some are still in flight.
    const acknowledged: string[] = [];
    const writes = Array.from({ length: 60 }, (_, i) =>
      api(first.url, "POST", "/v1/relationships", { updates: [{ operation: "touch", relationship: `project:dur${i}#viewer@user:u${i}` }] })
        .then((r) => {
          if (r.status === 200) acknowledged.push(`project:dur${i}#viewer@user:u${i}`);
        })
        .catch(() => undefined),
    );
    await Promise.race([Promise.all(writes), new Promise((r) => setTimeout(r, 150))]);
    await api(first.url, "POST", "/v1/relationships", { updates: [{ operation: "delete", relationship: "project:dur0#viewer@user:u0" }] }).catch(() => undefined);
    await first.kill("SIGKILL");
    await Promise.all(writes);
    expect(acknowledged.length).toBeGreaterThan(0);

    const second = await spawnServer(env);
    try {
      for (const rel of acknowledged.filter((r) => !r.startsWith("project:dur0#"))) {
        const [resource, rest] = rel.split("#") as [string, string];
        const subject = rest.split("@")[1]!;
        const check = await api(second.url, "POST", "/v1/check", { resource, permission: "view", subject });
        expect(check.body.allowed, rel).toBe(true);
      }
      const read = await api(second.url, "GET", "/v1/relationships?resourceType=project&limit=1000");
      const stored = (read.body.relationships as Array<{ relationship: string }>).map((r) => r.relationship);
      for (const rel of acknowledged.filter((r) => !r.startsWith("project:dur0#"))) expect(stored).toContain(rel);
    } finally {
      await second.kill("SIGKILL");
    }
  });

  it("keeps deletes and expirations across kill -9", async () => {
    const dataDir = tempDir();
    const env = { ACCORD_DATA_DIR: dataDir, ACCORD_API_KEYS: KEYS };
    const first = await spawnServer(env);
    await api(first.url, "POST", "/v1/relationships", {
      updates: [
        { operation: "touch", relationship: "project:keep#viewer@user:a" },
        { operation: "touch", relationship: "project:gone#viewer@user:a" },
        { operation: "touch", relationship: "project:later#viewer@user:a", expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
      ],
    });
    const del = await api(first.url, "DELETE", "/v1/relationships", { filter: { resourceType: "project", resourceId: "gone" } });
    expect(del.status).toBe(200);
    await first.kill("SIGKILL");
    const second = await spawnServer(env);
    try {
      const view = async (p: string) => (await api(second.url, "POST", "/v1/check", { resource: `project:${p}`, permission: "view", subject: "user:a" })).body.allowed;
      expect(await view("keep")).toBe(true);
      expect(await view("gone")).toBe(false);
      expect(await view("later")).toBe(true);
      const listed = await api(second.url, "GET", "/v1/relationships?resourceType=project&resourceId=later");
      expect((listed.body.relationships as Array<{ expiresAt?: string }>)[0]!.expiresAt).toBeTruthy();
    } finally {
      await second.kill("SIGKILL");
    }
  });

  it("generates an admin key on first start, prints it once and stores only its hash", async () => {
    const dataDir = tempDir();
    const first = await spawnServer({ ACCORD_DATA_DIR: dataDir });
    const key = /accord_[A-Za-z0-9_-]{20,}/.exec(first.output())?.[0];
    expect(key).toBeTruthy();
    expect((await api(first.url, "GET", "/v1/schema", undefined, key!)).status).toBe(200);
    expect((await api(first.url, "GET", "/v1/schema", undefined, "wrong-key-0123456789")).status).toBe(401);
    await first.kill("SIGTERM");
    const stored = readFileSync(join(dataDir, "api-keys.json"), "utf8");
    expect(stored).not.toContain(key!);
    expect(stored).toMatch(/"sha256": "[0-9a-f]{64}"/);
    const second = await spawnServer({ ACCORD_DATA_DIR: dataDir });
    try {
      expect(second.output()).not.toMatch(/accord_[A-Za-z0-9_-]{20,}/);
      expect((await api(second.url, "GET", "/v1/schema", undefined, key!)).status).toBe(200);
    } finally {
      await second.kill("SIGKILL");
    }
  });
});
