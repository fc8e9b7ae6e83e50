// Pins `accord validate` (validateDocuments) on the real embedded engine: the repo's validation
// file holds, a flipped assertion fails at its line, and broken inputs fail clearly with positions.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { validateDocuments } from "../../src/validate/validate-documents.js";

const REPO_FILE = "schema.validation.yaml";
const repoText = () => readFile(REPO_FILE, "utf8");

describe("validateDocuments", () => {
  it("passes the repo's schema.zed and schema.validation.yaml", async () => {
    const schema = await readFile("schema.zed", "utf8");
    const report = await validateDocuments([
      { name: "schema.zed", text: schema },
      { name: REPO_FILE, text: await repoText() },
    ]);
    expect(report.documents.flatMap((document) => document.findings)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.totals.assertionsRun).toBeGreaterThanOrEqual(60);
    expect(report.totals.relationshipsLoaded).toBeGreaterThan(0);
    expect(report.totals.expectedRelationsValidated).toBeGreaterThan(0);
  });

  it("fails a flipped assertion, naming its line and explaining the engine's answer", async () => {
    const text = await repoText();
    const original = '- "organization:acme#delete@user:adam"';
    const line = text.split("\n").findIndex((source) => source.includes(original)) + 1;
    expect(line).toBeGreaterThan(0);
    // Moving an assertFalse item's text into a true claim: adam (admin) cannot delete the org.
    const flipped = text.replace(original, '- "organization:acme#delete@user:olivia"');
    const report = await validateDocuments([{ name: REPO_FILE, text: flipped }]);
    expect(report.ok).toBe(false);
    const findings = report.documents[0]!.findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: "assertion_failed", file: REPO_FILE, line, expected: "denied", actual: "allowed" });
    expect(findings[0]!.trace?.result).toBe("allowed");
    expect(findings[0]!.excerpt?.some((source) => source.line === line && source.text.includes("olivia"))).toBe(true);
  });

  it("reports every failure, not just the first", async () => {
    const text = (await repoText())
      .replace('- "project:apollo#view@user:carl"', '- "project:apollo#view@user:leo"')
      .replace('"[user:vic] is <project:diary#viewer>"\n  # resources', '"[user:vic] is <project:diary#editor>"\n  # resources');
    const report = await validateDocuments([{ name: REPO_FILE, text }]);
    const kinds = report.documents[0]!.findings.map((finding) => finding.kind);
    expect(kinds).toEqual(["assertion_failed", "expected_relations_failed"]);
  });

  it("reports a subject the expansion found but the file did not list", async () => {
    const text = (await repoText()).replace('    - "[user:vic] is <project:diary#viewer>"\n  # resources', "  # resources");
    const report = await validateDocuments([{ name: REPO_FILE, text }]);
    const finding = report.documents[0]!.findings[0]!;
    expect(finding.kind).toBe("expected_relations_failed");
    expect(finding.message).toContain("`user:vic` found but missing from specified");
    expect(finding.message).toContain("[user:vic] is <project:diary#viewer>");
  });

  it("passes a validation file written in SpiceDB's documented format, unchanged", async () => {
    const name = "test/validate/fixtures/spicedb-format.yaml";
    const report = await validateDocuments([{ name, text: await readFile(name, "utf8") }]);
    expect(report.documents[0]!.findings).toEqual([]);
    expect(report.totals).toMatchObject({ relationshipsLoaded: 7, assertionsRun: 9, expectedRelationsValidated: 2 });
  });

  it("validates a bare .zed file (and fails a broken one)", async () => {
    const good = await validateDocuments([{ name: "schema.zed", text: await readFile("schema.zed", "utf8") }]);
    expect(good.ok).toBe(true);
    expect(good.documents[0]!.type).toBe("schema");
    const broken = await validateDocuments([{ name: "broken.zed", text: "definition user {}\n\ndefinition doc {\n  relation reader: user\n  permission view = reader +\n}\n" }]);
    expect(broken.documents[0]!.findings[0]).toMatchObject({ kind: "schema_error", file: "broken.zed", line: 6, column: 1 });
  });
});
