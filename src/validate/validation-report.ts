// validation-report.ts: the JSON-serializable result of `accord validate`, shared by the CLI
// (text and --json) and the HTTP route POST /v1/schema/validate.
import type { CheckTrace, Permissionship } from "../engine/engine.js";

/** FindingKind is the closed set of things that can go wrong in a validation document. */
export type FindingKind =
  | "file_error" // the file or its schemaFile could not be read
  | "yaml_error" // the YAML itself does not parse
  | "unknown_key" // a key the validation-file format does not have
  | "invalid_format" // a known key holds the wrong shape, or an item does not parse
  | "schema_error" // SpiceDB rejected the schema
  | "relationship_error" // SpiceDB rejected a relationship
  | "assertion_failed" // a check did not give the asserted answer
  | "assertion_error" // a check could not run (unknown permission, bad context, ...)
  | "expected_relations_failed"; // an expand did not give the expected subjects

/** SourceLine is one line of source shown around a finding. */
export interface SourceLine {
  line: number;
  text: string;
}

/** Finding is one failure, positioned in the file a user edits (1-based line and column). */
export interface Finding {
  kind: FindingKind;
  file: string;
  line: number;
  column: number;
  message: string;
  /** The failing item as written: an assertion, a relationship, an expected subject. */
  item?: string;
  /** A few source lines around the finding; the marker goes under `column` of `line`. */
  excerpt?: SourceLine[];
  /** For assertions: what the engine answered, and why (SpiceDB's check trace). */
  actual?: Permissionship;
  expected?: Permissionship;
  missingContext?: string[];
  trace?: CheckTrace;
}

/** DocumentReport is the outcome for one input file. */
export interface DocumentReport {
  name: string;
  /** "validation" for a YAML validation file, "schema" for a bare .zed file. */
  type: "validation" | "schema";
  relationshipsLoaded: number;
  assertionsRun: number;
  expectedRelationsValidated: number;
  findings: Finding[];
}

/** ValidationReport is the outcome for every input: ok only when no document has a finding. */
export interface ValidationReport {
  ok: boolean;
  documents: DocumentReport[];
  totals: { relationshipsLoaded: number; assertionsRun: number; expectedRelationsValidated: number; failures: number };
}
