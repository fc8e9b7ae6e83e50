// validate-command.ts: `accord validate [--json] <file>...` checks schema files (.zed) and zed
// validation files (.yaml) against the real engine, reports every failure, and exits 1 if any.
import { readFile } from "node:fs/promises";
import { formatReport } from "../validate/format-report.js";
import { validateDocuments, type ValidationInput } from "../validate/validate-documents.js";
import type { DocumentReport, ValidationReport } from "../validate/validation-report.js";
import type { Command } from "./command.js";

const USAGE = `usage: accord validate [--json] <file.zed | file.yaml>...

Validates each file on a fresh in-memory SpiceDB:
  .zed files       schema syntax and types
  other files      zed validation files: schema or schemaFile, relationships,
                   assertions (assertTrue, assertFalse, assertCaveated) and validation
Exits 0 when everything holds, 1 on any failure, 2 on bad usage.

  --json           print the report as JSON (the same findings as POST /v1/schema/validate)
`;

export const validateCommand: Command = {
  summary: "check schema.zed and validation files against the real engine",
  async run(args: string[]): Promise<number> {
    const json = args.includes("--json");
    const unknown = args.filter((arg) => arg.startsWith("-") && arg !== "--json");
    const files = args.filter((arg) => !arg.startsWith("-"));
    if (args.includes("--help") || args.includes("-h")) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (unknown.length > 0 || files.length === 0) {
      process.stderr.write(unknown.length > 0 ? `accord validate: unknown option ${unknown.join(", ")}\n\n${USAGE}` : USAGE);
      return 2;
    }

    const inputs: ValidationInput[] = [];
    const unreadable: DocumentReport[] = [];
    for (const name of files) {
      try {
        inputs.push({ name, text: await readFile(name, "utf8") });
      } catch (error) {
        unreadable.push(fileError(name, error));
      }
    }
    const validated = await validateDocuments(inputs);
    const report = mergeUnreadable(validated, unreadable);
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.ok ? 0 : 1;
  },
};

function fileError(name: string, error: unknown): DocumentReport {
  const reason = error instanceof Error && "code" in error && error.code === "ENOENT" ? "no such file" : String(error);
  return {
    name,
    type: name.endsWith(".zed") ? "schema" : "validation",
    relationshipsLoaded: 0,
    assertionsRun: 0,
    expectedRelationsValidated: 0,
    findings: [{ kind: "file_error", file: name, line: 1, column: 1, message: `cannot read file: ${reason}` }],
  };
}

function mergeUnreadable(report: ValidationReport, unreadable: DocumentReport[]): ValidationReport {
  if (unreadable.length === 0) return report;
  return {
    ok: false,
    documents: [...unreadable, ...report.documents],
    totals: { ...report.totals, failures: report.totals.failures + unreadable.length },
  };
}
