// deleteWorkspace deletes a workspace with every folder and resource in it, and every
// relationship naming any of them (rule 12; content-cascade.ts). Needs workspace `delete`: the
// project's delete, manager+ (an editor grant never deletes).
import type { Engine } from "../../engine/engine.js";
import type { Store } from "../../store/store.js";
import type { Actor } from "../actor.js";
import type { KeyedMutex } from "../keyed-mutex.js";
import { deleteContainer } from "./content-cascade.js";

export function createDeleteWorkspace(deps: { engine: Pick<Engine, "check" | "readRelationships" | "write">; store: Pick<Store, "deleteObject">; locks: KeyedMutex }) {
  return {
    execute: (input: { actor: Actor; workspaceId: string }) => deleteContainer(deps, { actor: input.actor, container: { type: "workspace", id: input.workspaceId } }),
  };
}
