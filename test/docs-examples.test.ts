// Pins the docs to the server: the README's walkthrough and every ```bash block of docs/*.md run
// against a real server (a fresh one per page), and each `# → …` line must match what it shows.
// Also: links and anchors resolve, cited code paths exist, every rule the code cites is in
// docs/rules.md, and every setting of src/config.ts is in the configuration table.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExamples, runExample } from "./support/doc-examples.js";
import { KEYS, startTestServer, type TestServer } from "./support/test-server.js";

const ROOT = join(import.meta.dirname, "..");
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const read = (page: string) => readFileSync(join(ROOT, page), "utf8");
const examples = new Map(PAGES.map((page) => [page, parseExamples(read(page))]));

describe("the examples are runnable and marked honestly", () => {
  it("finds the walkthrough and the examples of docs/", () => {
    const runnable = [...examples.values()].flat().filter((e) => e.run);
    expect(examples.get("README.md")!.filter((e) => e.run).length).toBeGreaterThanOrEqual(2);
    expect(runnable.length).toBeGreaterThanOrEqual(15);
    expect(runnable.flatMap((e) => e.expectations).length).toBeGreaterThanOrEqual(40);
  });

  it("holds no curl in a block that is not run, nor in a shell block that is not bash", () => {
    for (const [page, list] of examples) {
      for (const e of list) {
        const curls = /^\s*curl\s/m.test(e.code) || /\|\s*curl\s|\$\(curl\s/.test(e.code);
        if (curls && (!e.run || e.language !== "bash")) expect.fail(`${page}:${e.line}: a curl example that is not run (${e.language || "no language"}${e.run ? "" : ", <!-- not run -->"})`);
      }
    }
  });
});

function pageSuite(page: string) {
  const runnable = examples.get(page)!.filter((e) => e.run);
  if (runnable.length === 0) return;
  describe(page, () => {
    let server: TestServer;
    let scratch: string;
    beforeAll(async () => {
      server = await startTestServer();
      // The CLI examples (accord keys) write under ACCORD_DATA_DIR: a scratch folder, never ./data.
      scratch = mkdtempSync(join(tmpdir(), "accord-docs-"));
    });
    afterAll(async () => {
      await server?.close();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });
    for (const example of runnable) {
      it(`${page}:${example.line}`, async () => {
        const env = { ACCORD: server.url, KEY: KEYS.admin, MANAGE_KEY: KEYS.manage, CHECK_KEY: KEYS.check, ACCORD_DATA_DIR: scratch };
        const failures = await runExample(example, { cwd: ROOT, env, scratch });
        expect(failures, `${page}:${example.line}\n${failures.join("\n")}`).toEqual([]);
      }, 300_000);
    }
  });
}
for (const page of PAGES) pageSuite(page);

describe("the docs are true to the repository", () => {
  it("the README stays short and keeps the two set-up commands", () => {
    const readme = read("README.md");
    expect(readme.split("\n").length).toBeLessThanOrEqual(250);
    expect(readme).toContain("npm install && npm start");
    expect(readme).toMatch(/^npm test\b/m);
  });

  it("every relative link and anchor resolves", () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      const text = withoutCode(read(page));
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const [file, anchor] = target.split("#") as [string, string | undefined];
        const path = file ? resolve(dirname(join(ROOT, page)), file) : join(ROOT, page);
        if (!existsSync(path)) broken.push(`${page}: ${target} (no such file)`);
        else if (anchor && path.endsWith(".md") && !anchorsOf(readFileSync(path, "utf8")).has(anchor)) broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("every source, test and tool path the docs cite exists", () => {
    const missing: string[] = [];
    for (const page of PAGES) {
      for (const m of read(page).matchAll(/`((?:src|test|tools|console)\/[A-Za-z0-9_./-]+)`/g)) {
        if (!existsSync(join(ROOT, m[1]!))) missing.push(`${page}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("every rule the code cites is in docs/rules.md", () => {
    const rules = read("docs/rules.md");
    const cited = new Set<number>();
    for (const file of sourceFiles(join(ROOT, "src"))) {
      for (const m of readFileSync(file, "utf8").matchAll(/\brules? (\d+(?:(?:, | and |–|-)\d+)*)/gi)) {
        const list = m[1]!;
        const range = list.match(/^(\d+)[–-](\d+)$/);
        if (range) for (let n = Number(range[1]); n <= Number(range[2]); n++) cited.add(n);
        else for (const n of list.split(/, | and /)) cited.add(Number(n));
      }
    }
    expect(cited.size).toBeGreaterThan(5);
    for (let n = 1; n <= 18; n++) cited.add(n);
    const unresolved = [...cited].filter((n) => !new RegExp(`^(### Rule ${n}:|- Rule ${n} — )`, "m").test(rules));
    expect(unresolved).toEqual([]);
  });

  it("every setting of src/config.ts is in the configuration table", () => {
    const config = read("src/config.ts");
    const settings = [...config.matchAll(/^\s{4}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!);
    expect(settings.length).toBeGreaterThan(30);
    const table = read("docs/operations.md").split("## Configuration")[1]!.split("\n## ")[0]!;
    expect(settings.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });
});

/** withoutCode drops fenced blocks and code spans, where `](` is not a link. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** anchorsOf lists a page's heading anchors as GitHub makes them. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add(m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-"));
  }
  return anchors;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}

