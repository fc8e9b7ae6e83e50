// writeSchema replaces the schema. SpiceDB refuses a schema that would orphan stored
// relationships (a removed relation still in use); that is a conflict with stored data (409),
// not a malformed request, and the old schema stays in place.
import { EngineError, type Engine } from "../../engine/engine.js";
import { fromEngineFailure, preconditionFailed } from "../errors.js";

const ORPHANS = /relationships? exists? under it|relationship exists/i;

export function createWriteSchema(deps: { engine: Pick<Engine, "writeSchema"> }) {
  return {
    async execute(input: { schema: string }) {
      try {
        return await deps.engine.writeSchema(input.schema);
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        if (ORPHANS.test(err.failure.message)) throw preconditionFailed(err.failure.message);
        throw fromEngineFailure(err.failure, "schema");
      }
    },
  };
}
