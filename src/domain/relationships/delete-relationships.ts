// deleteRelationships removes every relationship matching a filter, atomically (admin).
import type { Engine, Precondition, RelationshipFilter } from "../../engine/engine.js";
import { engineCall } from "../errors.js";

export function createDeleteRelationships(deps: { engine: Pick<Engine, "deleteByFilter"> }) {
  return {
    async execute(input: { filter: RelationshipFilter; preconditions?: Precondition[] }) {
      return engineCall(() => deps.engine.deleteByFilter(input.filter, input.preconditions), "filter");
    },
  };
}
