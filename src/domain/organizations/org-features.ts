// orgFeatures: an organization's feature keys (rule 13), kept in its settings (app state). Each
// key has an anchor `project_feature:<project>|<key>#project@project:<project>` in every project of
// the organization, written when the key is added or the project created, so the role defaults
// of the scope hold before anyone sets it.
import type { Store } from "../../store/store.js";

/** orgFeatures returns the organization's feature keys, in the order they were set. */
export async function orgFeatures(store: Pick<Store, "getObject">, orgId: string): Promise<string[]> {
  return (await store.getObject("organization", orgId))?.settings?.features ?? [];
}
