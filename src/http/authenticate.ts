// authenticate: every route but /healthz and /readyz requires credentials. A bearer API key
// resolves to a principal with scopes; product routes also need the actor (X-Actor).
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Scope } from "../config.js";
import type { Actor } from "../domain/actor.js";
import { forbidden, invalidRequest, unauthenticated } from "../domain/errors.js";
import type { ApiKeyRing } from "./api-keys.js";

export interface Principal {
  keyName: string;
  scopes: ReadonlySet<Scope>;
}


const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;
const ACTOR = /^user:([A-Za-z0-9_-]{1,128})$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export function authenticate(ring: ApiKeyRing): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (!header) return next(unauthenticated("missing Authorization: Bearer <api key>"));
    const match = BEARER.exec(header);
    const identity = match ? ring.identify(match[1]!) : undefined;
    if (!identity) return next(unauthenticated("invalid credentials"));
    res.locals.principal = { keyName: identity.name, scopes: identity.scopes } satisfies Principal;
    next();
  };
}

/** requireScope admits principals holding the scope; `admin` may call everything. */
export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    const principal = res.locals.principal as Principal | undefined;
    if (!principal) return next(unauthenticated("missing credentials"));
    if (principal.scopes.has(scope) || principal.scopes.has("admin")) return next();
    next(forbidden(`this key lacks the '${scope}' scope`));
  };
}

/** actorOf reads the X-Actor (and X-Actor-Email) headers of a product request. */
export function actorOf(req: Request): Actor {
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
