// checkKey names a check exactly — resource, permission, subject and caveat context — so the
// check cache and the coalescer can tell identical checks apart from merely similar ones.
import type { CheckItem } from "../engine.js";

export function checkKey(item: CheckItem): string {
  const { resource, subject } = item;
  const key = `${resource.type}:${resource.id}#${item.permission}@${subject.type}:${subject.id}#${subject.relation ?? ""}`;
  return item.context === undefined ? key : `${key}|${stableJson(item.context)}`;
}

/** stableJson renders JSON with sorted object keys, so equal contexts give equal keys. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const fields = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
