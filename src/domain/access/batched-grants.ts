// batchedGrants: SpiceDB batches sibling objects into one trace step, so a grant read from a
// trace may name several objects at once (`workspace:ops,sales`, under a push of rule 12: the
// arrow reaches every workspace of the project). narrowBatchedGrants keeps the ids whose
// relationship exists for the subject, so explain and the access lists name the workspace
// that granted, not every one the step looked at.
import type { Engine, SubjectRef } from "../../engine/engine.js";
import { engineCall } from "../errors.js";
import type { Grant } from "./describe-grant.js";

/** narrowBatchedGrants splits grants whose id lists several objects into the ones that hold. */
export async function narrowBatchedGrants(engine: Pick<Engine, "readRelationships">, grants: Grant[], user: SubjectRef): Promise<Grant[]> {
  const holds = async (type: string, id: string, role: string, group?: string) => {
    const subject = group ? { type: "group", id: group, relation: "member" } : { type: user.type, id: user.id };
    const page = await engineCall(() => engine.readRelationships({ resourceType: type, resourceId: id, relation: role, subject }, { limit: 1 }));
    return page.relationships.length > 0;
  };
  const narrowed = await Promise.all(
    grants.map(async (grant): Promise<Grant[]> => {
      if (grant.kind === "content_grant" && grant.id.includes(",")) {
        const ids = grant.id.split(",");
        const kept = await Promise.all(ids.map(async (id) => ((await holds(grant.on, id, grant.role, grant.group)) ? id : undefined)));
        return kept.filter((id): id is string => id !== undefined).map((id) => ({ ...grant, id }));
      }
      if (grant.kind === "pushed" && grant.workspace.includes(",")) {
        const ids = grant.workspace.split(",");
        const kept = await Promise.all(ids.map(async (id) => ((await holds("workspace", id, grant.role, grant.group)) ? id : undefined)));
        return kept.filter((id): id is string => id !== undefined).map((workspace) => ({ ...grant, workspace }));
      }
      return [grant];
    }),
  );
  return narrowed.flat();
}
