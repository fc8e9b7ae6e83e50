// source-text.ts: positions in a text file, and the excerpt shown around a finding.
import type { SourceLine } from "./validation-report.js";

/** Position is 1-based, as editors and `zed validate` show it. */
export interface Position {
  line: number;
  column: number;
}

/** lineStarts returns the offset of every line's first character (for positionAt). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) === 10) starts.push(index + 1);
  }
  return starts;
}

/** positionAt turns a character offset into a 1-based line and column. */
export function positionAt(starts: number[], offset: number): Position {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
}

/** excerptAround returns up to `context` lines either side of `line` (1-based). */
export function excerptAround(text: string, line: number, context = 2): SourceLine[] {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const excerpt: SourceLine[] = [];
  for (let number = first; number <= last; number++) {
    excerpt.push({ line: number, text: lines[number - 1] ?? "" });
  }
  return excerpt;
}
