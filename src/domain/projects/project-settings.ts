// projectSettings: a project's settings kept in app state beside its name — `defaultRole`, the
// role of a member added without one (rule 18), `editor` until changed.
import type { Store } from "../../store/store.js";

export const DEFAULT_PROJECT_ROLE = "editor";

/** projectDefaultRole is the role a member added to the project without one gets. */
export async function projectDefaultRole(store: Pick<Store, "getObject">, projectId: string): Promise<string> {
  return (await store.getObject("project", projectId))?.settings?.defaultRole ?? DEFAULT_PROJECT_ROLE;
}
