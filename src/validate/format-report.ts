// format-report.ts: the human-readable form of a ValidationReport, in the compiler style editors
// and CI logs link from: `file:line:column: message`, the source around it, and for a failed
// assertion the check trace that explains the engine's answer.
import type { CheckTrace, Permissionship } from "../engine/engine.js";
import { formatObject, formatSubject } from "../engine/relationship-text.js";
import type { DocumentReport, Finding, ValidationReport } from "./validation-report.js";

const MAX_TRACE_LINES = 40;
const MARK: Record<Permissionship, string> = { allowed: "✓", denied: "✗", conditional: "?" };

/** formatReport renders every finding of every document, then one summary line per document. */
export function formatReport(report: ValidationReport): string {
  const out: string[] = [];
  for (const document of report.documents) {
    for (const finding of document.findings) out.push(formatFinding(finding), "");
  }
  for (const document of report.documents) out.push(formatSummary(document));
  const { totals } = report;
  out.push(
    report.ok
      ? `Success! ${counts(totals.relationshipsLoaded, totals.assertionsRun, totals.expectedRelationsValidated)}`
      : `FAILED: ${totals.failures} ${plural(totals.failures, "failure")} in ${report.documents.filter((document) => document.findings.length > 0).length} of ${report.documents.length} ${plural(report.documents.length, "file")}`,
  );
  return out.join("\n") + "\n";
}

/** formatFinding renders one finding: position, message, source excerpt with a marker, trace. */
export function formatFinding(finding: Finding): string {
  const lines = [`${finding.file}:${finding.line}:${finding.column}: ${finding.message}`];
  if (finding.item) lines.push(`  item: ${finding.item}`);
  if (finding.excerpt && finding.excerpt.length > 0) {
    const width = String(finding.excerpt[finding.excerpt.length - 1]!.line).length;
    for (const source of finding.excerpt) {
      const pointer = source.line === finding.line ? ">" : " ";
      lines.push(`  ${pointer} ${String(source.line).padStart(width)} | ${source.text}`);
      if (source.line === finding.line) lines.push(`    ${" ".repeat(width)} | ${" ".repeat(Math.max(0, finding.column - 1))}^`);
    }
  }
  if (finding.trace) {
    lines.push("  why (SpiceDB check trace):");
    lines.push(...formatTrace(finding.trace).map((line) => `    ${line}`));
  }
  return lines.join("\n");
}

/** formatTrace renders a check trace as an indented tree, ✓ allowed, ✗ denied, ? caveated. */
export function formatTrace(trace: CheckTrace): string[] {
  const lines: string[] = [];
  let hidden = 0;
  const visit = (node: CheckTrace, depth: number): void => {
    if (lines.length >= MAX_TRACE_LINES) {
      hidden++;
    } else {
      const caveat = node.caveat ? ` [caveat ${node.caveat}]` : "";
      lines.push(`${"  ".repeat(depth)}${MARK[node.result]} ${formatObject(node.resource)}#${node.permission}@${formatSubject(node.subject)} (${node.kind})${caveat}`);
    }
    for (const child of node.children) visit(child, depth + 1);
  };
  visit(trace, 0);
  if (hidden > 0) lines.push(`… ${hidden} more ${plural(hidden, "step")}`);
  return lines;
}

function formatSummary(document: DocumentReport): string {
  if (document.findings.length > 0) return `${document.name}: ${document.findings.length} ${plural(document.findings.length, "failure")}`;
  if (document.type === "schema") return `${document.name}: schema is valid`;
  return `${document.name}: ${counts(document.relationshipsLoaded, document.assertionsRun, document.expectedRelationsValidated)}`;
}

function counts(relationships: number, assertions: number, expected: number): string {
  return `${relationships} relationships loaded, ${assertions} assertions run, ${expected} expected relations validated`;
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
