// figures records a figure a test measured (fault counts, stale answers, model steps) in
// bench/figures/<name>.json, so that `npm run bench` can show it in bench/RESULTS.md beside the
// benchmark's own — with the date and the mode it was measured in. Each figure has its own
// file: test workers never write the same one.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const FIGURES_DIR = join(import.meta.dirname, "..", "..", "bench", "figures");

export function recordFigure(name: string, text: string, mode: string): void {
  console.info(`${name}: ${text}`);
  try {
    mkdirSync(FIGURES_DIR, { recursive: true });
    writeFileSync(join(FIGURES_DIR, `${name}.json`), JSON.stringify({ name, text, mode, date: new Date().toISOString() }, null, 2) + "\n");
  } catch {
    // A read-only checkout still runs the test.
  }
}
