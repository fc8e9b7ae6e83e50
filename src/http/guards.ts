// guards: what a route asks of its caller, once authenticated (pipeline/express-stages.ts):
// a scope, a user token asking only about itself, an API key, and the actor it acts for
// (X-Actor, or the user of a JWT).
import type { Request, RequestHandler } from "express";
import type { Scope } from "../config.js";
import type { Actor } from "../domain/actor.js";
import { forbidden, invalidRequest, unauthenticated } from "../domain/errors.js";
import type { SubjectRef } from "../engine/engine.js";
import { requireScopeOf } from "./pipeline/caller.js";
import { principalOf } from "./pipeline/express-stages.js";

const ACTOR = /^user:([A-Za-z0-9_-]{1,128})$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** requireScope admits principals holding the scope (pipeline/caller.ts says who holds what). */
export function requireScope(scope: Scope): RequestHandler {
  return (req, _res, next) => {
    const principal = principalOf(req);
    if (!principal) return next(unauthenticated("missing credentials"));
    try {
      requireScopeOf(principal, scope);
      next();
    } catch (err) {
      next(err);
    }
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
