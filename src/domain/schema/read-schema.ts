// readSchema returns the schema the engine holds (admin).
import type { Engine } from "../../engine/engine.js";
import { engineCall } from "../errors.js";

export function createReadSchema(deps: { engine: Pick<Engine, "readSchema"> }) {
  return {
    execute(): Promise<string> {
      return engineCall(() => deps.engine.readSchema());
    },
  };
}
