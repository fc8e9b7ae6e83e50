// security-headers: the headers helmet sets (CSP, HSTS, nosniff, frame options, …), captured
// once as a flat list of name, value, name, value, … so every response — through Express or
// the fast check path — gets the very same ones without helmet running per request.
import type { IncomingMessage, ServerResponse } from "node:http";
import helmet from "helmet";

function capture(): readonly string[] {
  const headers: string[] = [];
  const res = {
    setHeader: (name: string, value: unknown) => headers.push(name, String(value)),
    removeHeader: () => undefined,
  };
  helmet()({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return Object.freeze(headers);
}

/** SECURITY_HEADERS: name, value, name, value, … */
export const SECURITY_HEADERS = capture();

/** setSecurityHeaders puts the security headers on a response. */
export function setSecurityHeaders(res: ServerResponse): void {
  for (let i = 0; i < SECURITY_HEADERS.length; i += 2) res.setHeader(SECURITY_HEADERS[i]!, SECURITY_HEADERS[i + 1]!);
}
