// types: the shapes of the permission queries. Requests come from the generated document
// (openapi.d.ts); answers are written here because the document describes success answers only
// as objects — NOTE: when the server's route docs gain response schemas, these can be derived too.
import type { paths } from "./openapi.js";

type Method = "get" | "post" | "put" | "patch" | "delete";
type Operation<P extends keyof paths, M extends Method> = paths[P][M];

/** BodyOf is the JSON request body of an operation, as the document describes it. */
export type BodyOf<P extends keyof paths, M extends Method> = Operation<P, M> extends { requestBody: { content: { "application/json": infer B } } } ? B : never;
/** QueryOf is the query parameters of an operation. */
export type QueryOf<P extends keyof paths, M extends Method> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type CheckRequest = BodyOf<"/v1/check", "post">;
/** Consistency: how fresh an answer must be; the client fills in atLeastAsFresh itself (read-your-writes). */
export type Consistency = NonNullable<CheckRequest["consistency"]>;
export type BulkCheckItem = BodyOf<"/v1/check/bulk", "post">["items"][number];
export type CheckBulkRequest = BodyOf<"/v1/check/bulk", "post">;
export type LookupResourcesRequest = BodyOf<"/v1/lookup/resources", "post">;
export type LookupSubjectsRequest = BodyOf<"/v1/lookup/subjects", "post">;
export type ExplainRequest = BodyOf<"/v1/explain", "post">;

export interface CheckResult {
  allowed: boolean;
  /** A caveated grant whose context is missing: not (yet) allowed. */
  conditional?: true;
  missingContext?: string[];
  /** The revision the answer was computed at. */
  zedToken: string;
}

export type BulkItemResult = Omit<CheckResult, "zedToken"> | { error: { code: string; message: string } };

export interface CheckBulkResult {
  /** One per item, in order; an error stays with its item. */
  results: BulkItemResult[];
  zedToken: string;
}

export interface LookupResourcesResult {
  /** Ids of the resources (of the asked type) on which the subject holds the permission. */
  resources: string[];
  /** Ids granted only under a caveat whose context is missing. */
  conditional?: string[];
  /** Present when there are more: pass it as `cursor` for the next page. */
  cursor?: string;
  zedToken: string;
}

export interface LookupSubjectsResult {
  subjects: string[];
  conditional?: string[];
  zedToken: string;
}

export interface ExplainStep {
  node: string;
  kind: "relation" | "permission";
  result: "allowed" | "denied" | "conditional";
  caveat?: string;
}

export interface ExplainResult extends CheckResult {
  /** From the question down to the relationship that grants it; empty when denied. */
  path: ExplainStep[];
  grantedBy?: string;
  /** The answer in product terms, e.g. "editor through group eng on project p1". */
  reasons: string[];
  trace?: unknown;
}
