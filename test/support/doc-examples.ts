// doc-examples reads the shell examples of a markdown page and runs one with bash, checking what
// it shows. An example is a fenced ```bash block; `<!-- not run -->` on the line above marks one
// that cannot run in a test (it starts a server, a cluster, Docker). In a block, `# → <answer>`
// (continued on lines `#    …`) shows what the commands since the previous `# →` printed:
//   # → {"allowed":true,...}      the last JSON value printed, field by field: `...` in an object
//                                 or array stands for more fields or elements, `...` or "..." as
//                                 a value for any value, and `...` inside a string for any text;
//   # → 403 {"code":"forbidden"}  the same, and the HTTP status of the last request;
//   # → event: relationships      other output: its pieces between `...`, in order.
// Every request must answer below 400 unless a `# → <status>` line says otherwise.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Expectation is one `# →` line: what the output up to its mark must show. */
export interface Expectation {
  line: number;
  /** Expectations with the same mark check the same output (adjacent `# →` lines). */
  mark: number;
  status?: number;
  shown: string;
}

/** Example is one fenced block of a page. */
export interface Example {
  language: string;
  /** Line of the opening fence, 1-based. */
  line: number;
  code: string;
  run: boolean;
  expectations: Expectation[];
  /** The block with a mark command before each group of `# →` lines. */
  script: string;
}

export function parseExamples(markdown: string): Example[] {
  const lines = markdown.split("\n");
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i]!.match(/^```(\S*)\s*$/);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    let above = i - 1;
    while (above >= 0 && lines[above]!.trim() === "") above--;
    const language = open[1]!;
    const code = lines.slice(i + 1, end).join("\n");
    const notRun = above >= 0 && lines[above]!.trim() === "<!-- not run -->";
    examples.push({ language, line: i + 1, code, run: language === "bash" && !notRun, ...instrument(code, i + 2) });
    i = end;
  }
  return examples;
}

function instrument(code: string, firstLine: number): { script: string; expectations: Expectation[] } {
  const lines = code.split("\n");
  const script: string[] = [];
  const expectations: Expectation[] = [];
  let mark = 0;
  let inGroup = false;
  for (let i = 0; i < lines.length; i++) {
    const arrow = lines[i]!.match(/^\s*#\s*→\s?(.*)$/);
    if (!arrow) {
      // Blank lines and comments between two `# →` lines keep them on the same output.
      if (lines[i]!.trim() !== "" && !lines[i]!.trim().startsWith("#")) inGroup = false;
      script.push(lines[i]!);
      continue;
    }
    if (!inGroup) script.push(`__docs_mark ${++mark}`);
    inGroup = true;
    const line = firstLine + i;
    let shown = arrow[1]!.trim();
    while (i + 1 < lines.length && /^\s*#\s{2,}\S/.test(lines[i + 1]!)) shown += ` ${lines[++i]!.replace(/^\s*#\s+/, "").trim()}`;
    const status = shown.match(/^(\d{3})(?:\s+(.*))?$/);
    expectations.push({ line, mark, status: status ? Number(status[1]) : undefined, shown: status ? (status[2] ?? "") : shown });
    script.push(`# (line ${line})`);
  }
  return { script: script.join("\n"), expectations };
}

// The prelude: curl notes each answer's status; __docs_mark separates the output of two groups.
const PRELUDE = readFileSync(join(import.meta.dirname, "doc-examples-prelude.sh"), "utf8");

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** A folder for the script and its request log. */
  scratch: string;
  timeoutMs?: number;
}

/** runExample runs the block with bash and returns what does not match (empty when all does). */
export async function runExample(example: Example, options: RunOptions): Promise<string[]> {
  const dir = mkdtempSync(join(options.scratch, "example-"));
  const log = join(dir, "requests.log");
  const file = join(dir, "example.sh");
  writeFileSync(log, "");
  writeFileSync(file, PRELUDE + example.script + "\n");
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? dir, LANG: "C.UTF-8", NO_COLOR: "1", DOCS_LOG: log, ...options.env };
  const result = await runBash(file, options.cwd, env, options.timeoutMs ?? 240_000);
  if (result.code !== 0) return [`bash exited with ${result.code}\n--- stderr\n${result.stderr}\n--- stdout\n${result.stdout}`];
  return [...checkStatuses(example, readFileSync(log, "utf8")), ...checkOutput(example, result.stdout)];
}

function runBash(file: string, cwd: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn("bash", [file], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      process.kill(-child.pid!, "SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

function checkStatuses(example: Example, log: string): string[] {
  const failures: string[] = [];
  let statuses: number[] = [];
  const expectedAt = (mark: number) => example.expectations.find((e) => e.mark === mark && e.status !== undefined);
  const settle = (mark: number | undefined) => {
    const expected = mark === undefined ? undefined : expectedAt(mark);
    if (expected && statuses.length === 0) failures.push(`line ${expected.line}: shows status ${expected.status}, but no request was made`);
    statuses.forEach((status, i) => {
      const last = i === statuses.length - 1;
      if (expected && last) {
        if (status !== expected.status) failures.push(`line ${expected.line}: status ${status}, not ${expected.status}`);
      } else if (!(status >= 200 && status < 400)) {
        failures.push(`${mark === undefined ? "after the last `# →` line" : `before line ${example.expectations.find((e) => e.mark === mark)!.line}`}: a request answered ${status}, which the example does not show`);
      }
    });
    statuses = [];
  };
  for (const entry of log.split("\n").filter(Boolean)) {
    const [kind, value] = entry.split(" ") as [string, string];
    if (kind === "status") statuses.push(Number(value));
    else settle(Number(value));
  }
  settle(undefined);
  return failures;
}

function checkOutput(example: Example, stdout: string): string[] {
  const failures: string[] = [];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: \x1e is the record separator the runner prints around each MARK, on purpose
  const segments = stdout.split(/\n?\x1eMARK \d+\x1e\n/);
  for (const expectation of example.expectations) {
    if (!expectation.shown) continue;
    const output = segments[expectation.mark - 1] ?? "";
    if (/^[[{]/.test(expectation.shown)) {
      let pattern: unknown;
      try {
        pattern = parseShown(expectation.shown);
      } catch (err) {
        failures.push(`line ${expectation.line}: the answer shown is not JSON with \`...\`: ${(err as Error).message}`);
        continue;
      }
      const values = jsonValuesIn(output);
      if (values.length === 0) failures.push(`line ${expectation.line}: shows ${expectation.shown}, but no JSON was printed: ${show(output)}`);
      else {
        const wrong = mismatch(pattern, values.at(-1), "answer");
        if (wrong) failures.push(`line ${expectation.line}: ${wrong}\n  shown:  ${expectation.shown}\n  answer: ${show(values.at(-1))}`);
      }
    } else if (!globMatch(squeeze(expectation.shown), squeeze(output), false)) {
      failures.push(`line ${expectation.line}: the output does not show ${JSON.stringify(expectation.shown)}:\n${show(output)}`);
    }
  }
  return failures;
}

const MORE = "\u0000more";
const ELLIPSIS = /\.\.\.|…/;

/** parseShown reads JSON in which `...` may stand in an object or array for what is not shown. */
export function parseShown(shown: string): unknown {
  let out = "";
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  for (let i = 0; i < shown.length; i++) {
    const c = shown[i]!;
    if (inString) {
      out += c;
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    const ellipsis = shown.startsWith("...", i) ? 3 : c === "…" ? 1 : 0;
    if (ellipsis) {
      const top = stack.at(-1);
      if (!top) throw new Error("`...` outside an object or array");
      // After a key, `...` is any value; else more fields (in an object) or elements (in an array).
      out += out.trimEnd().endsWith(":") ? '"..."' : top === "{" ? '"\\u0000more":0' : '"\\u0000more"';
      i += ellipsis - 1;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") stack.push(c);
    else if (c === "}" || c === "]") stack.pop();
    out += c;
  }
  return JSON.parse(out);
}

/** mismatch says where `actual` differs from the pattern, or undefined when it matches. */
export function mismatch(pattern: unknown, actual: unknown, path: string): string | undefined {
  if (typeof pattern === "string") {
    if (/^(\.\.\.|…)$/.test(pattern)) return actual === undefined ? `${path}: missing` : undefined;
    if (ELLIPSIS.test(pattern)) return typeof actual === "string" && globMatch(pattern, actual, true) ? undefined : `${path}: ${show(actual)} does not match "${pattern}"`;
    return actual === pattern ? undefined : `${path}: ${show(actual)}, not ${JSON.stringify(pattern)}`;
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(actual)) return `${path}: ${show(actual)} is not an array`;
    const items = pattern.filter((p) => p !== MORE);
    if (items.length === pattern.length) {
      if (actual.length !== items.length) return `${path}: ${actual.length} elements, not ${items.length}`;
      for (const [i, item] of items.entries()) {
        const wrong = mismatch(item, actual[i], `${path}[${i}]`);
        if (wrong) return wrong;
      }
      return undefined;
    }
    let at = 0;
    for (const item of items) {
      while (at < actual.length && mismatch(item, actual[at], path) !== undefined) at++;
      if (at === actual.length) return `${path}: no element (in this order) matches ${JSON.stringify(item)}`;
      at++;
    }
    return undefined;
  }
  if (pattern !== null && typeof pattern === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return `${path}: ${show(actual)} is not an object`;
    const fields = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(pattern)) {
      if (key === MORE) continue;
      if (!(key in fields)) return `${path}.${key}: missing`;
      const wrong = mismatch(value, fields[key], `${path}.${key}`);
      if (wrong) return wrong;
    }
    if (!(MORE in pattern)) {
      const unshown = Object.keys(fields).filter((key) => !(key in pattern));
      if (unshown.length > 0) return `${path}: has fields the docs do not show (end it with ... if they may be there): ${unshown.join(", ")}`;
    }
    return undefined;
  }
  return Object.is(pattern, actual) ? undefined : `${path}: ${show(actual)}, not ${JSON.stringify(pattern)}`;
}

/** globMatch: the pieces of `pattern` between `...` appear in `text` in order (anchored: whole text). */
function globMatch(pattern: string, text: string, anchored: boolean): boolean {
  const pieces = pattern.split(ELLIPSIS);
  let at = 0;
  for (const [i, piece] of pieces.entries()) {
    if (piece === "") continue;
    const found = text.indexOf(piece, at);
    if (found < 0 || (anchored && i === 0 && found !== 0)) return false;
    at = found + piece.length;
  }
  return !anchored || pieces.at(-1) === "" || text.endsWith(pieces.at(-1)!);
}

/** jsonValuesIn finds the JSON objects and arrays printed in `text`, in order. */
function jsonValuesIn(text: string): unknown[] {
  const values: unknown[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "{" && text[i] !== "[") continue;
    const end = closingOf(text, i);
    if (end < 0) continue;
    try {
      values.push(JSON.parse(text.slice(i, end + 1)));
      i = end;
    } catch {
      // brackets in other output: not JSON
    }
  }
  return values;
}

function closingOf(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

const squeeze = (text: string) => text.replace(/\s+/g, " ");
const show = (value: unknown) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? "undefined" : text.length > 600 ? `${text.slice(0, 600)}…` : text;
};
