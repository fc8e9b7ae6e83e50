// parse-validation-file.ts: reads a zed validation file (schema or schemaFile, relationships,
// assertions, validation) into items that each remember their line and column, so every
// failure can point at the line a user edits. It reports every problem it finds, not the first.
import { isMap, isScalar, parseDocument, type Node, type Scalar } from "yaml";
import type { Relationship } from "../engine/engine.js";
import { parseRelationship } from "./parse-relationship.js";
import { parseAssertionsBlock, parseExpectedRelationsBlock, type AssertionEntry, type ExpectedRelationEntry, type FileContext } from "./parse-validation-blocks.js";
import { lineStarts, positionAt, type Position } from "./source-text.js";
import type { Finding, } from "./validation-report.js";

/** SchemaSource is the schema text and how to map its positions back to the file holding it. */
export interface SchemaSource {
  text: string;
  /** The file the schema lives in: the YAML itself (inline `schema:`) or the schemaFile. */
  file: string;
  fileText: string;
  /** toFilePosition maps a 1-based position inside `text` to one inside `file`. */
  toFilePosition(position: Position): Position;
}

export interface RelationshipEntry {
  text: string;
  relationship: Relationship;
  position: Position;
}

export interface ParsedValidationFile {
  schema?: SchemaSource;
  relationships: RelationshipEntry[];
  assertions: AssertionEntry[];
  expectedRelations: ExpectedRelationEntry[];
  findings: Finding[];
}

/** ReadSchemaFile resolves a `schemaFile:` path against the validation file and reads it. */
export type ReadSchemaFile = (path: string, fromFile: string) => Promise<{ name: string; text: string }>;

const TOP_LEVEL_KEYS = ["schema", "schemaFile", "relationships", "assertions", "validation"];

/** parseValidationFile parses one validation YAML document. */
export async function parseValidationFile(file: string, text: string, readSchemaFile: ReadSchemaFile): Promise<ParsedValidationFile> {
  const parsed: ParsedValidationFile = { relationships: [], assertions: [], expectedRelations: [], findings: [] };
  const starts = lineStarts(text);
  const context: FileContext = {
    file,
    text,
    positionOf: (node) => positionAt(starts, node.range?.[0] ?? 0),
    report: (kind, position, message, item) => parsed.findings.push({ kind, file, ...position, message, ...(item ? { item } : {}) }),
  };

  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  for (const error of document.errors) {
    context.report("yaml_error", positionAt(starts, error.pos[0]), `invalid YAML: ${firstLine(error.message)}`);
  }
  if (document.errors.length > 0) return parsed;

  const root = document.contents;
  if (!isMap(root)) {
    context.report("invalid_format", root ? context.positionOf(root) : { line: 1, column: 1 }, "a validation file is a YAML mapping with `schema` or `schemaFile`, `relationships`, `assertions` and `validation`");
    return parsed;
  }

  const values = new Map<string, { key: Scalar; value: unknown }>();
  for (const pair of root.items) {
    const key = pair.key;
    const name = isScalar(key) ? String(key.value) : "";
    if (!isScalar(key) || !TOP_LEVEL_KEYS.includes(name)) {
      const position = key && typeof key === "object" ? context.positionOf(key as Node) : { line: 1, column: 1 };
      context.report("unknown_key", position, `unknown key \`${name || String(key)}\`: expected one of ${TOP_LEVEL_KEYS.join(", ")}`);
      continue;
    }
    values.set(name, { key, value: pair.value });
  }

  parsed.schema = await readSchema(context, values, readSchemaFile);
  const relationships = values.get("relationships");
  if (relationships) parsed.relationships = parseRelationshipsBlock(context, relationships.key, relationships.value);
  const assertions = values.get("assertions");
  if (assertions) parsed.assertions = parseAssertionsBlock(context, assertions.key, assertions.value);
  const validation = values.get("validation");
  if (validation) parsed.expectedRelations = parseExpectedRelationsBlock(context, validation.key, validation.value);
  return parsed;
}

async function readSchema(
  context: FileContext,
  values: Map<string, { key: Scalar; value: unknown }>,
  readSchemaFile: ReadSchemaFile,
): Promise<SchemaSource | undefined> {
  const inline = values.get("schema");
  const external = values.get("schemaFile");
  if (inline && external) {
    context.report("invalid_format", context.positionOf(external.key), "give either `schema` or `schemaFile`, not both");
    return undefined;
  }
  if (!inline && !external) {
    context.report("invalid_format", { line: 1, column: 1 }, "no schema: add `schema:` (inline) or `schemaFile:` (a path to a .zed file)");
    return undefined;
  }
  const entry = (inline ?? external)!;
  if (!isScalar(entry.value) || typeof entry.value.value !== "string") {
    context.report("invalid_format", context.positionOf(entry.key), `\`${inline ? "schema" : "schemaFile"}\` must be a string`);
    return undefined;
  }
  const scalar = entry.value;
  const value = scalar.value as string;
  if (inline) {
    const map = scalarLineMap(context, scalar);
    return { text: value, file: context.file, fileText: context.text, toFilePosition: (position) => map(position.line - 1, position.column - 1) };
  }
  try {
    const { name, text } = await readSchemaFile(value, context.file);
    return { text, file: name, fileText: text, toFilePosition: (position) => position };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.report("file_error", context.positionOf(scalar), `cannot read schemaFile \`${value}\`: ${reason}`);
    return undefined;
  }
}

/**
 * scalarLineMap maps (line index, column index) inside a scalar's value to a file position.
 * Block scalars (`|`, `>`) start on the line after their header, indented; quoted or plain
 * scalars are mapped to their first line, which is the best a multi-line flow scalar allows.
 */
export function scalarLineMap(context: FileContext, scalar: Scalar): (lineIndex: number, columnIndex: number) => Position {
  const start = context.positionOf(scalar);
  if (scalar.type !== "BLOCK_LITERAL" && scalar.type !== "BLOCK_FOLDED") {
    return (lineIndex, columnIndex) => (lineIndex === 0 ? { line: start.line, column: start.column + columnIndex + 1 } : { line: start.line + lineIndex, column: columnIndex + 1 });
  }
  const fileLines = context.text.split(/\r?\n/);
  const indent = blockIndent(fileLines, start.line);
  return (lineIndex, columnIndex) => ({ line: start.line + 1 + lineIndex, column: indent + columnIndex + 1 });
}

// blockIndent is the indentation of a block scalar's first non-blank content line.
function blockIndent(fileLines: string[], headerLine: number): number {
  for (let index = headerLine; index < fileLines.length; index++) {
    const line = fileLines[index] ?? "";
    if (line.trim() !== "") return line.length - line.trimStart().length;
  }
  return 0;
}

// parseRelationshipsBlock reads one relationship per line; blank lines and `//` comments are
// skipped, as zed does.
function parseRelationshipsBlock(context: FileContext, key: Scalar, value: unknown): RelationshipEntry[] {
  if (value === null || (isScalar(value) && (value.value === null || value.value === ""))) return [];
  if (!isScalar(value) || typeof value.value !== "string") {
    context.report("invalid_format", context.positionOf(key), "`relationships` must be a string with one relationship per line (use `relationships: |-`)");
    return [];
  }
  const map = scalarLineMap(context, value);
  const entries: RelationshipEntry[] = [];
  const seen = new Set<string>();
  value.value.split("\n").forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("//")) return;
    const position = map(index, line.length - line.trimStart().length);
    const result = parseRelationship(trimmed);
    if (!result.ok) {
      context.report("invalid_format", position, `invalid relationship: ${result.error}`, trimmed);
      return;
    }
    if (seen.has(trimmed)) return;
    seen.add(trimmed);
    entries.push({ text: trimmed, relationship: result.value, position });
  });
  return entries;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
