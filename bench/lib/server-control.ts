// server-control starts bench/lib/server-process.ts as a child process and talks to it over IPC.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Request, ServerOptions } from "./server-process.js";

export interface Ready {
  ports: { accord: number; nocache: number; plain: number; echo: number; bare: number; remote: number };
  openMs: number;
  stats: { replayedRelationships: number; replayMs: number };
  memory: { rssMb: number; peakRssMb: number };
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill();
});

export class BenchServer {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: Ready,
    /** Wall time from fork to listening, engine replay included. */
    readonly startMs: number,
  ) {
    child.on("message", (m: { id: number; result?: unknown; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error) w.reject(new Error(m.error));
      else w.resolve(m.result);
    });
  }

  static start(options: ServerOptions, env: Record<string, string> = {}): Promise<BenchServer> {
    const t0 = performance.now();
    // BENCH_NODE_ARGS: extra node flags for the server process (experiments: --trace-gc, …).
    const execArgv = ["--import", "tsx", ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean)];
    const child = fork(fileURLToPath(new URL("./server-process.ts", import.meta.url)), [JSON.stringify(options)], { execArgv, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    running.add(child);
    child.once("exit", () => running.delete(child));
    return new Promise((resolve, reject) => {
      child.once("error", reject);
      const early = (code: number | null) => reject(new Error(`bench server exited with ${code} before it was ready`));
      child.once("exit", early);
      child.once("message", (m: { result: Ready }) => {
        child.off("exit", early);
        resolve(new BenchServer(child, m.result, performance.now() - t0));
      });
    });
  }

  url(app: keyof Ready["ports"]): string {
    return `http://127.0.0.1:${this.ready.ports[app]}`;
  }

  ask<T>(request: Request): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, request });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    await this.ask({ type: "close" });
    await exited;
  }
}

/** startEngineProcess forks bench/lib/engine-process.ts: a SpiceDB stand-in serving gRPC. */
export function startEngineProcess(schemaFile: string, token: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL("./engine-process.ts", import.meta.url)), [JSON.stringify({ schemaFile, token })], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("message", (m: { result: { port: number } }) =>
      resolve({
        endpoint: `127.0.0.1:${m.result.port}`,
        close: () =>
          new Promise<void>((done) => {
            child.once("exit", () => done());
            child.send({ id: 1, request: { type: "close" } });
          }),
      }),
    );
  });
}
