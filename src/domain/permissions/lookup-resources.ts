// lookupResources lists the resources of a type on which the subject holds a permission, paged.
import type { Consistency, Engine, LookupResourcesRequest } from "../../engine/engine.js";
import { engineCall, fieldOfCheck } from "../errors.js";

export function createLookupResources(deps: { engine: Pick<Engine, "lookupResources"> }) {
  return {
    async execute(input: { request: LookupResourcesRequest; consistency?: Consistency }) {
      const page = await engineCall(() => deps.engine.lookupResources(input.request, input.consistency), fieldOfCheck({ resource: { type: input.request.resourceType }, subject: input.request.subject }));
      const conditional = page.resources.filter((r) => r.permissionship === "conditional").map((r) => r.id);
      return {
        resources: page.resources.filter((r) => r.permissionship === "allowed").map((r) => r.id),
        ...(conditional.length ? { conditional } : {}),
        ...(page.cursor ? { cursor: page.cursor } : {}),
        zedToken: page.zedToken,
      };
    },
  };
}
