// writeRelationships applies raw relationship updates atomically (admin), after preconditions.
import type { Engine, Precondition, RelationshipUpdate } from "../../engine/engine.js";
import { engineCall } from "../errors.js";

export function createWriteRelationships(deps: { engine: Pick<Engine, "write"> }) {
  return {
    async execute(input: { updates: RelationshipUpdate[]; preconditions?: Precondition[] }) {
      return engineCall(() => deps.engine.write(input.updates, input.preconditions), "updates");
    },
  };
}
