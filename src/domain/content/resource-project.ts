// resourceProject reads which project a resource is registered in (resource#project); an
// unregistered resource is unknown to product endpoints (404).
import type { Engine } from "../../engine/engine.js";
import { engineCall, notFound } from "../errors.js";

export async function readResourceProject(engine: Pick<Engine, "readRelationships">, resourceId: string): Promise<string | undefined> {
  const page = await engineCall(() => engine.readRelationships({ resourceType: "resource", resourceId, relation: "project" }, { limit: 1 }));
  return page.relationships[0]?.subject.id;
}

export async function requireResource(engine: Pick<Engine, "readRelationships">, resourceId: string): Promise<string> {
  const projectId = await readResourceProject(engine, resourceId);
  if (!projectId) throw notFound(`resource ${resourceId} is not registered in any project`);
  return projectId;
}
