// Pins the `accord validate` command line: exit codes 0/1/2, the text summary, and --json.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function accord(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node", ["bin/accord.js", ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("accord validate", () => {
  it("exits 0 with a summary when everything holds", async () => {
    const { code, stdout } = await accord(["validate", "schema.zed", "schema.validation.yaml"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Success! \d+ relationships loaded, \d+ assertions run, \d+ expected relations validated/);
  });

  it("exits 1 and names file:line:column when an assertion fails; --json parses", async () => {
    const dir = await mkdtemp(join(tmpdir(), "accord-validate-"));
    const text = (await readFile("schema.validation.yaml", "utf8")).replace("schemaFile: ./schema.zed", `schemaFile: ${join(process.cwd(), "schema.zed")}`);
    const flipped = text.replace('- "project:diary#edit@user:vic"', '- "project:diary#view@user:vic"');
    const line = flipped.split("\n").findIndex((source) => source.includes('- "project:diary#view@user:vic"  # personal projects: a viewer')) + 1;
    const path = join(dir, "flipped.yaml");
    await writeFile(path, flipped);

    const text_ = await accord(["validate", path]);
    expect(text_.code).toBe(1);
    expect(text_.stdout).toContain(`${path}:${line}:7: assertFalse failed`);
    expect(text_.stdout).toContain("why (SpiceDB check trace):");

    const json = await accord(["validate", "--json", path]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.ok).toBe(false);
    expect(report.documents[0].findings[0]).toMatchObject({ kind: "assertion_failed", line, column: 7 });
  });

  it("exits 2 on bad usage and 1 on a missing file", async () => {
    expect((await accord(["validate"])).code).toBe(2);
    expect((await accord(["frobnicate"])).code).toBe(2);
    const missing = await accord(["validate", "no-such-file.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("no-such-file.yaml:1:1: cannot read file");
  });
});
