// Pins examples/protected-service, the service the README walks through: run as its own process
// on the built @accord/client package (as a service that installed it would), against a real
// Accord, it serves a document to a viewer, refuses others with 403 problem+json, lets an editor
// save, and fails closed with 503 when Accord cannot be reached.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, uid, useTestServer } from "../support/test-server.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CLIENT = join(ROOT, "packages", "client");
const accord = useTestServer();

/** newest is the latest modification time under a directory. */
function newest(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((entry) => (entry.isDirectory() ? newest(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs)));
}

/** ensureBuilt builds the package when its dist is missing or older than its sources. */
function ensureBuilt(): void {
  let built = 0;
  try {
    built = Math.min(statSync(join(CLIENT, "dist", "index.js")).mtimeMs, statSync(join(CLIENT, "dist", "express.js")).mtimeMs);
  } catch {
    // not built yet
  }
  const sources = Math.max(newest(join(CLIENT, "src")), statSync(join(CLIENT, "package.json")).mtimeMs, statSync(join(CLIENT, "tsconfig.json")).mtimeMs);
  if (built < sources) execFileSync("npm", ["run", "build", "-w", "@accord/client"], { cwd: ROOT, stdio: "pipe" });
}

interface Service {
  url: string;
  process: ChildProcess;
}

/** startService runs the example as a service would be run, and waits for its listening line. */
function startService(env: Record<string, string>): Promise<Service> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "examples", "protected-service", "server.ts")], { env: { ...process.env, PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`the example did not start: ${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, process: child });
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code) => reject(new Error(`the example exited with ${code}: ${output}`)));
  });
}

const services: Service[] = [];
let service: Service;
const [doc, alice, bob] = [uid("doc"), uid("alice"), uid("bob")];

beforeAll(async () => {
  ensureBuilt();
  const granted = await accord.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: `resource:${doc}#viewer@user:${alice}` }] } });
  expect(granted.status).toBe(200);
  service = await startService({ ACCORD_URL: accord.url, ACCORD_KEY: KEYS.check });
  services.push(service);
}, 180_000);
afterAll(() => {
  for (const s of services) s.process.kill("SIGTERM");
});

const as = (user: string | undefined, init: RequestInit = {}) => ({ ...init, headers: { ...(user ? { "x-user": user } : {}), "content-type": "application/json" } });

describe("examples/protected-service", () => {
  it("serves a viewer, refuses others with 403 problem+json", async () => {
    const ok = await fetch(`${service.url}/documents/${doc}`, as(alice));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ id: doc, decision: { allowed: true, permission: "view" } });
    for (const user of [bob, undefined]) {
      const denied = await fetch(`${service.url}/documents/${doc}`, as(user));
      expect(denied.status).toBe(403);
      expect(denied.headers.get("content-type")).toContain("application/problem+json");
      expect((await denied.json()).code).toBe("forbidden");
    }
  });

  it("edit needs edit: a viewer is refused until Accord makes them an editor", async () => {
    const save = () => fetch(`${service.url}/documents/${doc}`, as(alice, { method: "PUT", body: "{}" }));
    expect((await save()).status).toBe(403);
    const grant = await accord.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: `resource:${doc}#editor@user:${alice}` }] } });
    expect(grant.status).toBe(200);
    const saved = await save();
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ saved: true });
  });

  it("fails closed: 503 problem+json when Accord cannot be reached", async () => {
    const cut = await startService({ ACCORD_URL: "http://127.0.0.1:9", ACCORD_KEY: KEYS.check });
    services.push(cut);
    const res = await fetch(`${cut.url}/documents/${doc}`, as(alice));
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe("authorization_unavailable");
  });
});
