// readRelationships pages through stored relationships matching a filter (admin).
import type { Consistency, Engine, RelationshipFilter } from "../../engine/engine.js";
import { engineCall, invalidRequest } from "../errors.js";

export function createReadRelationships(deps: { engine: Pick<Engine, "readRelationships"> }) {
  return {
    async execute(input: { filter: RelationshipFilter; limit: number; cursor?: string; consistency?: Consistency }) {
      if (!input.filter.resourceType && !input.filter.subject) {
        throw invalidRequest("filter by resourceType or subjectType", "resourceType");
      }
      return engineCall(() => deps.engine.readRelationships(input.filter, { limit: input.limit, cursor: input.cursor }, input.consistency), "query");
    },
  };
}
