// schema-model: the shape of a SpiceDB schema as Accord reasons about it — definitions with
// their relations (the subject types each allows) and permissions (set expressions over
// relations, permissions and arrows). parse-schema builds it from schema text; the check
// cache derives what a change can affect from it, and explain completes traces with it.

/** AllowedSubject is one entry of a relation's type list, e.g. `group#member with expiration`. */
export interface AllowedSubject {
  type: string;
  /** `member` in `group#member`; undefined for a plain object type. */
  relation?: string;
  /** `user:*`. */
  wildcard?: boolean;
  caveat?: string;
  expiration?: boolean;
}

export interface RelationDef {
  name: string;
  allowed: AllowedSubject[];
}

/** PermissionExpr is a permission's set expression. */
export type PermissionExpr =
  | { op: "union" | "intersection" | "exclusion"; children: PermissionExpr[] }
  /** A relation or permission of the same definition. */
  | { op: "ref"; name: string }
  /** `tupleset->target` (or `tupleset.any(target)` / `.all(target)`): target on each object the tupleset relation names. */
  | { op: "arrow"; tupleset: string; target: string; all?: boolean }
  | { op: "nil" }
  | { op: "self" };

export interface Definition {
  name: string;
  relations: Map<string, RelationDef>;
  permissions: Map<string, PermissionExpr>;
}

export interface SchemaModel {
  definitions: Map<string, Definition>;
  caveats: Set<string>;
}

/** memberKind says whether `name` on `type` is a relation, a permission, or unknown to the schema. */
export function memberKind(schema: SchemaModel, type: string, name: string): "relation" | "permission" | undefined {
  const definition = schema.definitions.get(type);
  if (definition?.relations.has(name)) return "relation";
  if (definition?.permissions.has(name)) return "permission";
  return undefined;
}

export type ExprLeaf = Extract<PermissionExpr, { op: "ref" } | { op: "arrow" }>;

/**
 * leavesOf lists the relations, permissions and arrows an expression reads. With `granting`,
 * only those that can grant (an exclusion's subtracted side never does); without, every one
 * whose change can alter the result (both sides of an exclusion).
 */
export function leavesOf(expr: PermissionExpr, granting: boolean): ExprLeaf[] {
  switch (expr.op) {
    case "ref":
    case "arrow":
      return [expr];
    case "union":
    case "intersection":
      return expr.children.flatMap((child) => leavesOf(child, granting));
    case "exclusion":
      return (granting ? expr.children.slice(0, 1) : expr.children).flatMap((child) => leavesOf(child, granting));
    default:
      return [];
  }
}
