// lookupSubjects lists the subjects of a type that hold a permission on a resource.
import type { Consistency, Engine, LookupSubjectsRequest } from "../../engine/engine.js";
import { engineCall, fieldOfCheck } from "../errors.js";

export function createLookupSubjects(deps: { engine: Pick<Engine, "lookupSubjects"> }) {
  return {
    async execute(input: { request: LookupSubjectsRequest; consistency?: Consistency }) {
      const result = await engineCall(() => deps.engine.lookupSubjects(input.request, input.consistency), fieldOfCheck({ resource: input.request.resource, subject: { type: input.request.subjectType } }));
      const conditional = result.subjects.filter((s) => s.permissionship === "conditional").map((s) => s.id);
      return {
        subjects: result.subjects.filter((s) => s.permissionship === "allowed").map((s) => s.id),
        ...(conditional.length ? { conditional } : {}),
        zedToken: result.zedToken,
      };
    },
  };
}
