// validate-documents.ts: the use-case behind `accord validate` and POST /v1/schema/validate.
// Each document runs on its own fresh in-memory engine; every document is checked and every
// failure reported, so one run shows everything that needs fixing.
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { EngineError, type Engine } from "../engine/engine.js";
import { MAX_UPDATES_PER_WRITE, openValidationEngine } from "../engine/embedded/validation-engine.js";
import { locateSchemaError } from "./locate-schema-error.js";
import { parseValidationFile, type ReadSchemaFile, type RelationshipEntry, type SchemaSource } from "./parse-validation-file.js";
import { runAssertions } from "./run-assertions.js";
import { runExpectedRelations } from "./run-expected-relations.js";
import { excerptAround } from "./source-text.js";
import type { DocumentReport, Finding, ValidationReport } from "./validation-report.js";

/** ValidatorEngine is the slice of the Engine port validation needs. */
export type ValidatorEngine = Pick<Engine, "writeSchema" | "write" | "check" | "explain" | "expand" | "close">;

export interface ValidateOptions {
  /** openEngine starts an empty engine for one document (default: in-memory embedded SpiceDB). */
  openEngine?: () => Promise<ValidatorEngine>;
  /** readSchemaFile resolves `schemaFile:` (default: from disk, relative to the YAML's directory). */
  readSchemaFile?: ReadSchemaFile;
}

/** ValidationInput is one document: a name (a path, for positions and schemaFile) and its text. */
export interface ValidationInput {
  name: string;
  text: string;
}

/** validateDocuments validates every input and returns one JSON-serializable report. */
export async function validateDocuments(inputs: ValidationInput[], options: ValidateOptions = {}): Promise<ValidationReport> {
  const openEngine = options.openEngine ?? openValidationEngine;
  const readSchemaFile = options.readSchemaFile ?? readSchemaFileFromDisk;
  const documents: DocumentReport[] = [];
  for (const input of inputs) {
    const isSchema = input.name.endsWith(".zed");
    documents.push(isSchema ? await validateSchemaDocument(input, openEngine) : await validateValidationDocument(input, openEngine, readSchemaFile));
  }
  const sum = (pick: (document: DocumentReport) => number) => documents.reduce((total, document) => total + pick(document), 0);
  const failures = sum((document) => document.findings.length);
  return {
    ok: failures === 0,
    documents,
    totals: {
      relationshipsLoaded: sum((document) => document.relationshipsLoaded),
      assertionsRun: sum((document) => document.assertionsRun),
      expectedRelationsValidated: sum((document) => document.expectedRelationsValidated),
      failures,
    },
  };
}

/** readSchemaFileFromDisk reads a schemaFile relative to the directory of the validation file. */
export const readSchemaFileFromDisk: ReadSchemaFile = async (path, fromFile) => {
  const name = isAbsolute(path) ? path : join(dirname(fromFile), path);
  return { name, text: await readFile(name, "utf8") };
};

async function validateSchemaDocument(input: ValidationInput, openEngine: () => Promise<ValidatorEngine>): Promise<DocumentReport> {
  const report = emptyReport(input.name, "schema");
  const schema: SchemaSource = { text: input.text, file: input.name, fileText: input.text, toFilePosition: (position) => position };
  await withEngine(openEngine, async (engine) => {
    const finding = await writeSchema(engine, schema);
    if (finding) report.findings.push(finding);
  });
  return withExcerpts(report, new Map([[input.name, input.text]]));
}

async function validateValidationDocument(
  input: ValidationInput,
  openEngine: () => Promise<ValidatorEngine>,
  readSchemaFile: ReadSchemaFile,
): Promise<DocumentReport> {
  const report = emptyReport(input.name, "validation");
  const parsed = await parseValidationFile(input.name, input.text, readSchemaFile);
  report.findings.push(...parsed.findings);
  const texts = new Map([[input.name, input.text]]);
  const schema = parsed.schema;
  if (schema) texts.set(schema.file, schema.fileText);
  const unparseable = parsed.findings.some((finding) => finding.kind === "yaml_error");
  if (!schema || unparseable) return withExcerpts(report, texts);

  await withEngine(openEngine, async (engine) => {
    const schemaFinding = await writeSchema(engine, schema);
    if (schemaFinding) {
      report.findings.push(schemaFinding);
      return;
    }
    const loaded = await loadRelationships(engine, input.name, parsed.relationships, report.findings);
    report.relationshipsLoaded = loaded;
    report.findings.push(...(await runAssertions(engine, input.name, parsed.assertions)));
    report.assertionsRun = parsed.assertions.length;
    report.findings.push(...(await runExpectedRelations(engine, input.name, parsed.expectedRelations)));
    report.expectedRelationsValidated = parsed.expectedRelations.length;
  });
  return withExcerpts(report, texts);
}

async function withEngine(openEngine: () => Promise<ValidatorEngine>, run: (engine: ValidatorEngine) => Promise<void>): Promise<void> {
  const engine = await openEngine();
  try {
    await run(engine);
  } finally {
    await engine.close();
  }
}

async function writeSchema(engine: ValidatorEngine, schema: SchemaSource): Promise<Finding | undefined> {
  try {
    await engine.writeSchema(schema.text);
    return undefined;
  } catch (error) {
    const message = error instanceof EngineError ? error.failure.message : String(error);
    const position = schema.toFilePosition(locateSchemaError(schema.text, message));
    return { kind: "schema_error", file: schema.file, ...position, message: `invalid schema: ${message}` };
  }
}

// loadRelationships writes in chunks of at most 1,000; when a chunk is rejected it is retried one
// relationship at a time, so every bad relationship is reported with its own line.
async function loadRelationships(engine: ValidatorEngine, file: string, entries: RelationshipEntry[], findings: Finding[]): Promise<number> {
  let loaded = 0;
  for (let start = 0; start < entries.length; start += MAX_UPDATES_PER_WRITE) {
    const chunk = entries.slice(start, start + MAX_UPDATES_PER_WRITE);
    try {
      await engine.write(chunk.map((entry) => ({ operation: "touch", relationship: entry.relationship })));
      loaded += chunk.length;
      continue;
    } catch {
      // fall through: find the culprits one by one
    }
    for (const entry of chunk) {
      try {
        await engine.write([{ operation: "touch", relationship: entry.relationship }]);
        loaded++;
      } catch (error) {
        const reason = error instanceof EngineError ? error.failure.message : String(error);
        findings.push({ kind: "relationship_error", file, ...entry.position, message: `invalid relationship: ${reason}`, item: entry.text });
      }
    }
  }
  return loaded;
}

function emptyReport(name: string, type: DocumentReport["type"]): DocumentReport {
  return { name, type, relationshipsLoaded: 0, assertionsRun: 0, expectedRelationsValidated: 0, findings: [] };
}

// withExcerpts attaches the source lines around each finding and orders findings by position.
function withExcerpts(report: DocumentReport, texts: Map<string, string>): DocumentReport {
  for (const finding of report.findings) {
    const text = texts.get(finding.file);
    if (text !== undefined) finding.excerpt = excerptAround(text, finding.line);
  }
  report.findings.sort((first, second) => (first.file === second.file ? first.line - second.line || first.column - second.column : first.file < second.file ? -1 : 1));
  return report;
}
