// validation-engine: a throwaway, in-memory SpiceDB for `accord validate`. Each validation
// document gets its own instance (the embedded engine without a journal or a schema), so
// documents can never see each other's relationships.
import { MAX_UPDATES } from "../spicedb/spicedb-engine.js";
import { EmbeddedEngine } from "./embedded-engine.js";
import type { Engine } from "../engine.js";

/** ValidationEngine is what one validation run needs from SpiceDB. */
export type ValidationEngine = Pick<Engine, "writeSchema" | "write" | "check" | "explain" | "expand" | "close">;

/** MAX_UPDATES_PER_WRITE is SpiceDB's limit on updates in one WriteRelationships call. */
export const MAX_UPDATES_PER_WRITE = MAX_UPDATES;

/** openValidationEngine starts a fresh in-memory SpiceDB with no schema and no relationships. */
export function openValidationEngine(): Promise<ValidationEngine> {
  return EmbeddedEngine.open({});
}
