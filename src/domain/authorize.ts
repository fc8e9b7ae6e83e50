// authorize asks the engine whether the actor holds a permission, with the permission the
// schema defines for the operation; nothing in the request body is trusted for it.
import type { Engine, ObjectRef } from "../engine/engine.js";
import type { Actor } from "./actor.js";
import { engineCall, forbidden } from "./errors.js";

export type Authorizer = Pick<Engine, "check">;

/** hasPermission reports whether the user holds the permission (read-your-writes). */
export async function hasPermission(engine: Authorizer, resource: ObjectRef, permission: string, userId: string): Promise<boolean> {
  const result = await engineCall(() => engine.check({ resource, permission, subject: { type: "user", id: userId } }));
  return result.permissionship === "allowed";
}

/** requirePermission throws 403 forbidden unless the actor holds the permission. */
export async function requirePermission(engine: Authorizer, actor: Actor, resource: ObjectRef, permission: string, detail?: string): Promise<void> {
  if (!(await hasPermission(engine, resource, permission, actor.userId))) {
    throw forbidden(detail ?? `user:${actor.userId} lacks ${permission} on ${resource.type}:${resource.id}`);
  }
}
