// locate-schema-error.ts: SpiceDB reports parse errors with a line and column, but type errors
// ("relation/permission `x` not found under definition `doc`") without one. This finds the
// most likely position for both, so every schema error can point at a line.
import type { Position } from "./source-text.js";

/** locateSchemaError returns the 1-based position a WriteSchema error message refers to. */
export function locateSchemaError(schema: string, message: string): Position {
  const explicit = /line (\d+), column (\d+)/.exec(message);
  if (explicit) return { line: Number(explicit[1]), column: Number(explicit[2]) };

  const names = [...message.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "");
  const lines = schema.split("\n");
  const definition = /(?:under|for) definition `([^`]+)`/.exec(message)?.[1];
  const relation = /for relation `([^`]+)`/.exec(message)?.[1];
  const duplicate = /duplicate relation\/permission name `([^`]+)`/.exec(message)?.[1];

  const scope = definition ? definitionRange(lines, definition) : { first: 0, last: lines.length - 1 };
  if (duplicate) {
    const hits = findAll(lines, new RegExp(String.raw`\b(?:relation|permission)\s+${escapeRegExp(duplicate)}\b`), scope);
    if (hits.length > 0) return hits[hits.length > 1 ? 1 : 0]!;
  }
  if (relation) {
    const declaration = findAll(lines, new RegExp(String.raw`\brelation\s+${escapeRegExp(relation)}\b`), scope)[0];
    const target = names.find((name) => name !== relation);
    if (declaration && target) {
      const column = wordIndex(lines[declaration.line - 1] ?? "", target, declaration.column);
      if (column >= 0) return { line: declaration.line, column: column + 1 };
    }
    if (declaration) return declaration;
  }
  for (const name of names) {
    if (name === definition) continue;
    const hit = findAll(lines, new RegExp(String.raw`(?<![\w/])${escapeRegExp(name)}(?![\w/])`), scope)[0];
    if (hit) return hit;
  }
  return { line: scope.first + 1, column: 1 };
}

// definitionRange finds the lines of `definition name { ... }` (or `caveat name`).
function definitionRange(lines: string[], name: string): { first: number; last: number } {
  const header = new RegExp(String.raw`^\s*(?:definition|caveat)\s+${escapeRegExp(name)}\b`);
  const first = lines.findIndex((line) => header.test(line));
  if (first < 0) return { first: 0, last: lines.length - 1 };
  let depth = 0;
  for (let index = first; index < lines.length; index++) {
    for (const char of lines[index] ?? "") {
      if (char === "{") depth++;
      if (char === "}") depth--;
    }
    if (depth <= 0 && (lines[index] ?? "").includes("}")) return { first, last: index };
  }
  return { first, last: lines.length - 1 };
}

function findAll(lines: string[], pattern: RegExp, scope: { first: number; last: number }): Position[] {
  const hits: Position[] = [];
  for (let index = scope.first; index <= scope.last; index++) {
    const line = lines[index] ?? "";
    const code = line.split("//")[0] ?? "";
    const match = pattern.exec(code);
    if (match) hits.push({ line: index + 1, column: match.index + 1 });
  }
  return hits;
}

function wordIndex(line: string, word: string, fromColumn: number): number {
  const match = new RegExp(String.raw`(?<![\w/])${escapeRegExp(word)}(?![\w/])`).exec(line.slice(fromColumn - 1));
  return match ? match.index + fromColumn - 1 : -1;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
