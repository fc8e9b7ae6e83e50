// processes: the small pieces every part of the local cluster shares — a free loopback port,
// waiting for a service to answer, and stopping a child process for good.
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** freePort asks the kernel for a free loopback port (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * waitFor polls `probe` until it returns true, every 100 ms, for at most `timeoutMs`. A probe
 * that throws is "not yet" — unless the error says the process it waits for is gone
 * (`exited` in the message), which ends the wait at once.
 */
export async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      if (err instanceof Error && /exited/.test(err.message)) throw err;
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** stopProcess signals a child and waits for it to exit (SIGKILL after `graceMs`). */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** capture keeps the last `limit` characters a child wrote, for error messages. */
export function capture(child: ChildProcess, limit = 20_000): () => string {
  let text = "";
  const add = (chunk: Buffer) => {
    text += chunk.toString();
    if (text.length > limit) text = text.slice(-limit);
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
  return () => text;
}

/** Restartable is a child process that can be killed and started again on the same port. */
export interface Restartable {
  pid(): number | undefined;
  /** kill sends a signal (the part's default when left out) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** start brings a stopped process back (same arguments, same port) and waits until it answers. */
  start(): Promise<void>;
  running(): boolean;
  output(): string;
}

/**
 * restartable runs `launch()` and waits (up to `readyMs`) for `ready` to be true, failing at once
 * with the output when the process exits first; start() does it again after a kill.
 */
export async function restartable(what: string, launch: () => ChildProcess, ready: () => Promise<boolean>, defaultSignal: NodeJS.Signals, readyMs = 30_000): Promise<Restartable> {
  let child: ChildProcess | undefined;
  let output = () => "";
  const alive = () => !!child && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    if (alive()) return;
    const started = launch();
    child = started;
    output = capture(started);
    await waitFor(what, readyMs, async () => {
      if (started.exitCode !== null) throw new Error(`${what} exited with ${started.exitCode}:\n${output()}`);
      return ready();
    });
  };
  await start();
  return {
    pid: () => child?.pid,
    async kill(signal = defaultSignal) {
      if (child) await stopProcess(child, signal);
    },
    start,
    running: alive,
    output: () => output(),
  };
}
