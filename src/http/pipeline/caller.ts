// caller: who is calling, from the bearer token. A token is either an API key (a principal with
// scopes; product routes name the actor in X-Actor) or a user's JWT (the principal is the user:
// product routes act as them, check routes may only ask about them, admin routes are closed to
// them). An API key is known at once; a JWT is verified asynchronously.
import type { IncomingMessage } from "node:http";
import type { ApiKeyRing } from "../../auth/api-keys.js";
import { looksLikeJwt, type JwtVerifier } from "../../auth/jwt-verifier.js";
import type { Scope } from "../../config.js";
import { forbidden, unauthenticated } from "../../domain/errors.js";

export type Principal = { kind: "key"; keyName: string; scopes: ReadonlySet<Scope> } | { kind: "user"; userId: string; email?: string };

/** BEARER takes the token out of an Authorization header. */
export const BEARER = /^Bearer ([\x21-\x7e]{1,8192})$/;

/** CallerSources are where principals come from: the API keys (current ones) and the JWT verifier. */
export interface CallerSources {
  keys: () => Pick<ApiKeyRing, "identify">;
  jwt?: JwtVerifier;
}

/** identifyCaller reads the Authorization header: the principal (a key at once, a JWT when verified), or a 401. */
export function identifyCaller(req: IncomingMessage, sources: CallerSources): Principal | Promise<Principal> {
  const header = req.headers.authorization;
  if (!header) throw unauthenticated("missing Authorization: Bearer <api key or JWT>");
  const token = BEARER.exec(header)?.[1];
  if (!token) throw unauthenticated("invalid credentials");
  if (sources.jwt?.enabled && looksLikeJwt(token)) {
    return sources.jwt.verify(token).then((user) => {
      if (!user) throw unauthenticated("invalid or expired token");
      return { kind: "user", ...user };
    });
  }
  const identity = sources.keys().identify(token);
  if (!identity) throw unauthenticated("invalid credentials");
  return { kind: "key", keyName: identity.name, scopes: identity.scopes };
}

/** principalName names a principal in logs, rate limits and the audit log: `key:<name>` or `user:<id>`. */
export function principalName(principal: Principal): string {
  return principal.kind === "key" ? `key:${principal.keyName}` : `user:${principal.userId}`;
}

/** hasScope: a key holding `admin` may call everything. */
export function hasScope(scopes: ReadonlySet<Scope>, scope: Scope): boolean {
  return scopes.has(scope) || scopes.has("admin");
}

/**
 * requireScopeOf admits a principal to a route of the scope, or throws 403. A user's JWT counts
 * as `check` (for itself) and `manage` (as itself), never `admin`.
 */
export function requireScopeOf(principal: Principal, scope: Scope): void {
  if (principal.kind === "user") {
    if (scope === "admin") throw forbidden("a user token cannot call admin endpoints");
    return;
  }
  if (!hasScope(principal.scopes, scope)) throw forbidden(`this key lacks the '${scope}' scope`);
}
