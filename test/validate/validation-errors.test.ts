// Pins the positions and messages of broken validation files: schema syntax and type errors,
// malformed YAML, unknown keys, bad relationships and assertions.
import { describe, expect, it } from "vitest";
import { validateDocuments } from "../../src/validate/validate-documents.js";

const SCHEMA = ["definition user {}", "", "definition doc {", "  relation reader: user", "  permission view = reader", "}"];

function file(lines: string[]): { name: string; text: string } {
  return { name: "case.yaml", text: lines.join("\n") + "\n" };
}

function inlineSchema(schemaLines: string[], rest: string[] = []): { name: string; text: string } {
  return file(["schema: |-", ...schemaLines.map((line) => (line ? `  ${line}` : "")), ...rest]);
}

async function findingsOf(input: { name: string; text: string }) {
  const report = await validateDocuments([input]);
  expect(report.ok).toBe(false);
  return report.documents[0]!.findings;
}

describe("validation errors", () => {
  it("maps a schema syntax error inside inline `schema:` to the YAML line and column", async () => {
    const broken = [...SCHEMA];
    broken[4] = "  permission view = reader +";
    const [finding] = await findingsOf(inlineSchema(broken));
    // The schema's line 6 (the closing brace) is the YAML's line 7, indented by 2.
    expect(finding).toMatchObject({ kind: "schema_error", file: "case.yaml", line: 7, column: 3 });
    expect(finding!.message).toMatch(/Expected right hand expression/);
  });

  it("locates a schema type error that SpiceDB reports without a position", async () => {
    const broken = [...SCHEMA];
    broken[4] = "  permission view = reader + nope";
    const [finding] = await findingsOf(inlineSchema(broken));
    expect(finding).toMatchObject({ kind: "schema_error", line: 6, column: 32 });
    expect(finding!.message).toContain("`nope` not found under definition `doc`");
  });

  it("reports malformed YAML with its line and column", async () => {
    const findings = await findingsOf(file(["schema: |-", "  definition user {}", "assertions:", "  assertTrue: [doc:d#view@user:a", "validation: {}"]));
    expect(findings[0]).toMatchObject({ kind: "yaml_error", file: "case.yaml" });
    expect(findings[0]!.line).toBeGreaterThanOrEqual(4);
    expect(findings[0]!.column).toBeGreaterThan(0);
    expect(findings[0]!.message).toMatch(/^invalid YAML: /);
  });

  it("reports unknown top-level and assertion keys at their position", async () => {
    const findings = await findingsOf(
      inlineSchema(SCHEMA, ["relationship: |-", "  doc:d1#reader@user:a", "assertions:", "  assertTrue:", "    - doc:d1#view@user:a", "  assertMaybe: []"]),
    );
    // The misspelled `relationship:` loads nothing, so the assertion on line 12 fails too.
    expect(findings.map(({ kind, line, column }) => ({ kind, line, column }))).toEqual([
      { kind: "unknown_key", line: 8, column: 1 },
      { kind: "assertion_failed", line: 12, column: 7 },
      { kind: "unknown_key", line: 13, column: 3 },
    ]);
    expect(findings[0]!.message).toContain("unknown key `relationship`");
  });

  it("reports a relationship the schema rejects, and one that does not parse, each at its line", async () => {
    const findings = await findingsOf(
      inlineSchema(SCHEMA, ["relationships: |-", "  doc:d1#reader@user:a", "  doc:d1#writer@user:b", "  not a relationship", "assertions:", "  assertTrue:", "    - doc:d1#view@user:a"]),
    );
    expect(findings.map(({ kind, line, column }) => ({ kind, line, column }))).toEqual([
      { kind: "relationship_error", line: 10, column: 3 },
      { kind: "invalid_format", line: 11, column: 3 },
    ]);
  });

  it("reports an assertion on an unknown permission as an error, at its line", async () => {
    const findings = await findingsOf(inlineSchema(SCHEMA, ["assertions:", "  assertFalse:", '    - "doc:d1#edit@user:a"']));
    expect(findings[0]).toMatchObject({ kind: "assertion_error", line: 10, column: 7 });
  });

  it("requires a schema", async () => {
    const findings = await findingsOf(file(["relationships: |-", "  doc:d1#reader@user:a"]));
    expect(findings[0]!.message).toContain("no schema");
  });

  it("reports a missing schemaFile", async () => {
    const findings = await findingsOf(file(["schemaFile: ./does-not-exist.zed"]));
    expect(findings[0]).toMatchObject({ kind: "file_error", line: 1, column: 13 });
  });
});
