// The embedded engine's threads run at a lower priority than the event loop (ACCORD_ENGINE_NICE,
// src/engine/embedded/thread-priority.ts), so that cache hits are not kept waiting for a core
// by engine work. Shown on the real server process (npm start), through Linux's per-thread nice.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { getPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer, type SpawnedServer } from "./support/spawn-server.js";

const linux = existsSync("/proc/self/task");
const KEY = "threads-admin-key-0123456789";
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** niceOf reads each thread's nice value: the main thread's, and the others'. */
function niceOf(pid: number): { main: number; others: number[] } {
  const others: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    if (tid === pid) continue;
    try {
      others.push(getPriority(tid));
    } catch {
      // the thread ended meanwhile
    }
  }
  return { main: getPriority(pid), others };
}

async function startWithChecks(env: Record<string, string>): Promise<SpawnedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "accord-threads-"));
  dirs.push(dataDir);
  const server = await spawnServer({ ACCORD_DATA_DIR: dataDir, ACCORD_API_KEYS: JSON.stringify([{ name: "a", key: KEY, scopes: ["admin"] }]), ...env });
  // Engine work (checks on the libuv pool, a lookup through the streaming proxy), so every kind
  // of engine thread exists.
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${server.url}/v1/check`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ resource: `project:t${i}`, permission: "view", subject: `user:u${i % 3}` }),
    });
    expect(res.status).toBe(200);
  }
  return server;
}

describe.skipIf(!linux)("engine thread priority", () => {
  it("runs the engine's threads at nice 10 by default and leaves the event loop's thread at 0, threads started later included", async () => {
    const server = await startWithChecks({});
    try {
      // Threads the Go runtime starts after the first sweep are lowered by the next (every second).
      await new Promise((r) => setTimeout(r, 1_500));
      const { main, others } = niceOf(server.process.pid!);
      expect(main).toBe(0);
      expect(others.length).toBeGreaterThan(4);
      expect(others.filter((n) => n !== 10)).toEqual([]);
    } finally {
      await server.kill();
    }
  });

  it("leaves every thread alone with ACCORD_ENGINE_NICE=0", async () => {
    const server = await startWithChecks({ ACCORD_ENGINE_NICE: "0" });
    try {
      const { main, others } = niceOf(server.process.pid!);
      expect(main).toBe(0);
      expect(others.filter((n) => n !== 0)).toEqual([]);
    } finally {
      await server.kill();
    }
  });
});
