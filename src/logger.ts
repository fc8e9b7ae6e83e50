// logger: one pino instance; authorization headers, keys and tokens are redacted wherever they
// appear. On a terminal the lines are pretty (pino-pretty, in pino's worker thread); anywhere
// else — a file, a pipe, a log collector — one JSON object per line.
import pino from "pino";

export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers[\"x-api-key\"]",
  "headers.authorization",
  "authorization",
  "key",
  "*.key",
  "token",
  "*.token",
  "apiKeys",
];

/**
 * createLogger makes the logger. With no destination it writes to stdout, by `format`: `auto`
 * (ACCORD_LOG_FORMAT's default) is pretty when stdout is a terminal, JSON otherwise.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, format: "auto" | "json" | "pretty" = "auto"): pino.Logger {
  const options: pino.LoggerOptions = { level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  const pretty = format === "pretty" || (format === "auto" && !destination && process.stdout.isTTY === true);
  if (pretty && level !== "silent") {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" } } });
  }
  return pino(options, destination);
}
