// writeSchema replaces the schema. SpiceDB refuses a schema that would orphan stored
// relationships (a removed relation still in use), and the old schema stays in place.
import type { Engine } from "../engine/engine.js";
import { engineCall } from "./errors.js";

export function createWriteSchema(deps: { engine: Pick<Engine, "writeSchema"> }) {
  return {
    async execute(input: { schema: string }) {
      return engineCall(() => deps.engine.writeSchema(input.schema), "schema");
    },
  };
}
