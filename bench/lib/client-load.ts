// client-load measures the service's side of a check (issue 20): 64 concurrent callers in this
// process, each asking one check after another, (1) with raw `fetch` to POST /v1/check and (2)
// through @accord/client, whose batcher turns the checks of one event-loop turn into one
// POST /v1/check/bulk. Same check stream, same server, same seconds; checks answered per second,
// per-check latency as the caller sees it, and how many checks went in each HTTP call.
import { createAccordClient, type CheckRequest } from "../../packages/client/src/index.js";

export interface ClientLoadRow {
  label: string;
  /** Checks answered per second. */
  rps: number;
  p50: number;
  p99: number;
  /** HTTP requests made per second, and checks per request. */
  requestsPerSecond: number;
  checksPerRequest: number;
  errors: number;
}

export interface ClientLoadResult {
  callers: number;
  raw: ClientLoadRow;
  client: ClientLoadRow;
  /** client checks/s ÷ raw fetch checks/s. */
  ratio: number;
}

interface LoadOptions {
  url: string;
  key: string;
  /** JSON bodies of POST /v1/check (the bench's check stream). */
  bodies: string[];
  callers: number;
  seconds: number;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** drive runs `callers` loops of `ask` for the given seconds and summarizes what they saw. */
async function drive(label: string, options: LoadOptions, ask: (body: string) => Promise<void>, requests: () => number): Promise<ClientLoadRow> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const before = requests();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.callers }, async () => {
      while (performance.now() < deadline) {
        const body = options.bodies[next++ % options.bodies.length]!;
        const t0 = performance.now();
        try {
          await ask(body);
          latencies.push(performance.now() - t0);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const made = requests() - before;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { label, rps: round(latencies.length / wall, 0), p50: round(at(50)), p99: round(at(99)), requestsPerSecond: round(made / wall, 0), checksPerRequest: round(latencies.length / Math.max(1, made), 1), errors };
}

export async function clientLoad(options: LoadOptions): Promise<ClientLoadResult> {
  const headers = { authorization: `Bearer ${options.key}`, "content-type": "application/json" };
  let rawRequests = 0;
  const raw = () =>
    drive(
      "raw fetch → POST /v1/check",
      options,
      async (body) => {
        rawRequests += 1;
        const res = await fetch(`${options.url}/v1/check`, { method: "POST", headers, body });
        await res.json();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
      },
      () => rawRequests,
    );
  let clientRequests = 0;
  const accord = createAccordClient({
    baseUrl: options.url,
    apiKey: options.key,
    fetch: (input, init) => {
      clientRequests += 1;
      return fetch(input, init);
    },
  });
  const parsed = new Map<string, CheckRequest>();
  const client = () =>
    drive(
      "@accord/client check() (batched into POST /v1/check/bulk)",
      options,
      async (body) => {
        let request = parsed.get(body);
        if (!request) {
          request = JSON.parse(body) as CheckRequest;
          parsed.set(body, request);
        }
        await accord.check(request);
      },
      () => clientRequests,
    );
  // Warm both paths (JIT, connections), then measure each once.
  await drive("warm-up", { ...options, seconds: 0.5 }, async (body) => void (await (await fetch(`${options.url}/v1/check`, { method: "POST", headers, body })).json()), () => 0);
  await drive("warm-up", { ...options, seconds: 0.5 }, async (body) => void (await accord.check(JSON.parse(body) as CheckRequest)), () => 0);
  const rawRow = await raw();
  const clientRow = await client();
  return { callers: options.callers, raw: rawRow, client: clientRow, ratio: round(clientRow.rps / Math.max(1, rawRow.rps)) };
}
