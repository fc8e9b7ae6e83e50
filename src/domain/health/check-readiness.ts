// checkReadiness answers /readyz: the engine answers and holds the schema; and whether it can
// stream changes (checks and writes work without a change stream; /v1/watch does not).
import type { Engine } from "../../engine/engine.js";

export type Readiness = { ready: false } | { ready: true; watch: { available: true } | { available: false; reason: string } };

export function createCheckReadiness(deps: { engine: Pick<Engine, "ready" | "watchAvailability"> }) {
  return {
    async execute(): Promise<Readiness> {
      if (!(await deps.engine.ready())) return { ready: false };
      return { ready: true, watch: await deps.engine.watchAvailability() };
    },
  };
}
