// http-load drives one HTTP endpoint with autocannon (loopback, fixed connections, bounded in
// time), sending a different body from the pool with each request. Latencies are taken from
// autocannon's per-response timings (sub-millisecond), not its whole-millisecond histogram.
import autocannon from "autocannon";

export interface LoadResult {
  connections: number;
  /** Successful (2xx) responses per second. */
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  path: string;
  key: string;
  bodies: string[];
  connections: number;
  seconds: number;
  /** Where in `bodies` to begin (default: anywhere); the run wraps around at the end. */
  start?: number;
}

export async function httpLoad(options: LoadOptions): Promise<LoadResult & { sent: number }> {
  const { bodies } = options;
  const first = options.start ?? Math.floor(Math.random() * bodies.length);
  let next = first;
  const latencies: number[] = [];
  let non2xx = 0;
  let finish!: (result: autocannon.Result) => void;
  let fail!: (err: Error) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon({
    url: options.url + options.path,
    connections: options.connections,
    duration: options.seconds,
    method: "POST",
    headers: { authorization: `Bearer ${options.key}`, "content-type": "application/json" },
    requests: [
      {
        setupRequest: (request) => {
          request.body = bodies[next++ % bodies.length]!;
          return request;
        },
      },
    ],
  }, (err, result) => (err ? fail(err) : finish(result)));
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    else non2xx += 1;
  });
  const result = await done;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const seconds = (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000 || options.seconds;
  return { connections: options.connections, rps: latencies.length / seconds, p50: at(50), p99: at(99), non2xx, errors: result.errors + result.timeouts, sent: next - first };
}
