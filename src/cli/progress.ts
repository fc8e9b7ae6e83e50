// progress: how far long work has got — `accord export`/`import` of a million relationships, the
// bench's seeding. On a terminal a live bar (cli-progress) with the count, rate and time left;
// anywhere else (CI, a pipe) a plain line every few seconds, so logs stay readable.
import { SingleBar } from "cli-progress";

export interface Progress {
  /** advance counts `n` more items done (and, where the total is in bytes, `bytes` more read). */
  advance(n: number, bytes?: number): void;
  /** finish ends the report with one last line. */
  finish(): void;
}

export interface ProgressOptions {
  /** What is counted, e.g. "relationships". */
  unit: string;
  /** The total, when known ahead: items, or bytes with `totalIsBytes` (time left is then by bytes). */
  total?: number;
  totalIsBytes?: boolean;
  /** Where it goes; stderr by default (stdout may carry the data itself). */
  stream?: NodeJS.WriteStream;
  /** Seconds between plain lines (not a terminal). */
  everySeconds?: number;
}

const rate = (count: number, seconds: number) => Math.round(count / Math.max(seconds, 0.001));

export function startProgress(label: string, options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const started = performance.now();
  let count = 0;
  let bytes = 0;
  const seconds = () => (performance.now() - started) / 1000;
  const done = () => (options.totalIsBytes ? bytes : count);
  const left = () => {
    if (!options.total) return undefined;
    const fraction = Math.min(1, done() / options.total);
    return fraction > 0 ? (seconds() / fraction) * (1 - fraction) : undefined;
  };
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        stream,
        format: options.total
          ? `${label} [{bar}] {percentage}% · {count} ${options.unit} · {rate}/s · {left} left`
          : `${label} · {count} ${options.unit} · {rate}/s · {elapsed}s`,
        hideCursor: true,
        barsize: 24,
      },
    );
    bar.start(options.total ?? 0, 0, { count: 0, rate: 0, left: "?", elapsed: 0 });
    const payload = () => {
      const l = left();
      return { count: count.toLocaleString("en"), rate: rate(count, seconds()).toLocaleString("en"), left: l === undefined ? "?" : `${Math.ceil(l)} s`, elapsed: Math.round(seconds()) };
    };
    return {
      advance(n, b = 0) {
        count += n;
        bytes += b;
        bar.update(Math.min(done(), options.total ?? done()), payload());
      },
      finish() {
        bar.update(options.total ?? done(), payload());
        bar.stop();
      },
    };
  }
  const every = (options.everySeconds ?? 5) * 1000;
  let last = performance.now();
  const line = (prefix: string) => {
    const l = left();
    stream.write(`${label}: ${prefix}${count.toLocaleString("en")} ${options.unit} (${rate(count, seconds()).toLocaleString("en")}/s${l === undefined ? "" : `, ~${Math.ceil(l)} s left`})\n`);
  };
  return {
    advance(n, b = 0) {
      count += n;
      bytes += b;
      if (performance.now() - last >= every) {
        last = performance.now();
        line("");
      }
    },
    finish() {
      line(`done in ${seconds().toFixed(1)} s: `);
    },
  };
}
