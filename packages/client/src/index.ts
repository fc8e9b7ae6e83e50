// @accord/client: a typed client for Accord. The Express middleware is in "@accord/client/express".
export { AccordClient, createAccordClient, type AccordClientOptions, type SessionOptions } from "./client.js";
export { AccordError, type Problem, type ProblemCode } from "./errors.js";
export type { BatchWindow } from "./check-batcher.js";
export type { CallOptions, Credentials, RetryOptions, TransportOptions } from "./transport.js";
export type { Written } from "./product-calls.js";
export type {
  BodyOf,
  BulkCheckItem,
  BulkItemResult,
  CheckBulkRequest,
  CheckBulkResult,
  CheckRequest,
  CheckResult,
  Consistency,
  ExplainRequest,
  ExplainResult,
  ExplainStep,
  LookupResourcesRequest,
  LookupResourcesResult,
  LookupSubjectsRequest,
  LookupSubjectsResult,
  QueryOf,
} from "./types.js";
export type { paths, components } from "./openapi.js";
