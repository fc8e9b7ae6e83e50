// authenticate: every route but /healthz and /readyz requires credentials. A bearer token is
// either an API key (a principal with scopes; product routes name the actor in X-Actor) or a
// user's JWT (the principal is the user: product routes act as them, check routes may only ask
// about them, admin routes are closed to them).
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Scope } from "../config.js";
import type { Actor } from "../domain/actor.js";
import { forbidden, invalidRequest, unauthenticated } from "../domain/errors.js";
import type { SubjectRef } from "../engine/engine.js";
import type { ApiKeyRing } from "../auth/api-keys.js";
import { looksLikeJwt, type JwtVerifier } from "../auth/jwt-verifier.js";

export type Principal =
  | { kind: "key"; keyName: string; scopes: ReadonlySet<Scope> }
  | { kind: "user"; userId: string; email?: string };

/** BEARER takes the token out of an Authorization header. */
export const BEARER = /^Bearer ([\x21-\x7e]{1,8192})$/;
const ACTOR = /^user:([A-Za-z0-9_-]{1,128})$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

const principals = new WeakMap<Request, Principal>();

/** principalOf returns who is calling (set by authenticate). */
export function principalOf(req: Request): Principal | undefined {
  return principals.get(req);
}

export function authenticate(keys: () => ApiKeyRing, jwt?: JwtVerifier): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (!header) return next(unauthenticated("missing Authorization: Bearer <api key or JWT>"));
    const token = BEARER.exec(header)?.[1];
    if (!token) return next(unauthenticated("invalid credentials"));
    if (jwt?.enabled && looksLikeJwt(token)) {
      const user = await jwt.verify(token);
      if (!user) return next(unauthenticated("invalid or expired token"));
      principals.set(req, { kind: "user", ...user });
      res.locals.principalName = `user:${user.userId}`;
      return next();
    }
    const identity = keys().identify(token);
    if (!identity) return next(unauthenticated("invalid credentials"));
    principals.set(req, { kind: "key", keyName: identity.name, scopes: identity.scopes });
    res.locals.principalName = `key:${identity.name}`;
    next();
  };
}

/**
 * requireScope admits principals holding the scope; `admin` may call everything. A user's
 * JWT counts as `check` (for itself) and `manage` (as itself), never `admin`.
 */
/** hasScope: a key holding `admin` may call everything. */
export function hasScope(scopes: ReadonlySet<Scope>, scope: Scope): boolean {
  return scopes.has(scope) || scopes.has("admin");
}

export function requireScope(scope: Scope): RequestHandler {
  return (req, _res, next) => {
    const principal = principalOf(req);
    if (!principal) return next(unauthenticated("missing credentials"));
    if (principal.kind === "user") return scope === "admin" ? next(forbidden("a user token cannot call admin endpoints")) : next();
    if (hasScope(principal.scopes, scope)) return next();
    next(forbidden(`this key lacks the '${scope}' scope`));
  };
}

/** requireSelf: a user's JWT may ask permission questions only about itself. */
export function requireSelf(req: Request, subjects: SubjectRef[]): void {
  const principal = principalOf(req);
  if (principal?.kind !== "user") return;
  for (const subject of subjects) {
    if (subject.type !== "user" || subject.id !== principal.userId || subject.relation) {
      throw forbidden("a user token may only check permissions of its own user");
    }
  }
}

/** requireKey: endpoints that are not about one user (e.g. lookup of subjects) need an API key. */
export function requireKey(req: Request): void {
  if (principalOf(req)?.kind !== "key") throw forbidden("this endpoint needs an API key");
}

/** actorOf names the user on whose behalf a product request runs. */
export function actorOf(req: Request): Actor {
  const principal = principalOf(req);
  if (principal?.kind === "user") {
    const header = req.header("x-actor");
    if (header !== undefined && header !== `user:${principal.userId}`) throw forbidden("a user token acts only as its own user");
    return principal.email ? { userId: principal.userId, email: principal.email } : { userId: principal.userId };
  }
  const raw = req.header("x-actor");
  if (!raw) throw invalidRequest("X-Actor header is required: user:<id>", "header.x-actor");
  const match = ACTOR.exec(raw);
  if (!match) throw invalidRequest("X-Actor must be user:<id> with id matching [A-Za-z0-9_-]{1,128}", "header.x-actor");
  const actor: Actor = { userId: match[1]! };
  const email = req.header("x-actor-email");
  if (email !== undefined) {
    if (!EMAIL.test(email)) throw invalidRequest("X-Actor-Email must be an e-mail address", "header.x-actor-email");
    actor.email = email.toLowerCase();
  }
  return actor;
}
