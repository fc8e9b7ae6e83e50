// console-browser: what the console's browser tests need — Debian's Chromium driven by
// playwright-core (nothing downloaded), an up-to-date console build, and screenshots.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { CONSOLE_DIR } from "../../src/http/routes/console-routes.js";

export const CHROMIUM = process.env.ACCORD_CHROMIUM ?? "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM);

const ROOT = join(import.meta.dirname, "..", "..");
export const SCREENSHOTS = join(ROOT, "test-output", "console");

// The flags a root user needs on this closed network: no sandbox, and no background calls home.
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * ensureConsoleBuilt runs `npm run build:console` when dist/console is missing or older than
 * console/ (after `npm ci` it is fresh and nothing runs), so the browser tests the source.
 */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIR, "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(join(ROOT, "console"))) return;
  const build = spawnSync("npm", ["run", "build:console"], { cwd: ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`npm run build:console failed:\n${build.stdout}\n${build.stderr}`);
}

let shot = 0;
/** resetScreenshots empties test-output/console, so a run leaves only its own pictures. */
export function resetScreenshots(): void {
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  shot = 0;
}

/** screenshot saves the page as test-output/console/NN-name.png (not committed) and checks it. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  shot += 1;
  await page.screenshot({ path: join(SCREENSHOTS, `${String(shot).padStart(2, "0")}-${name}.png`) });
  issues.push(...(await accessibilityIssues(page)));
}

const issues: string[] = [];
/** seenIssues: the accessibility issues of every page screenshot so far. */
export const seenIssues = (): string[] => [...issues];

/**
 * accessibilityIssues lists what a keyboard or screen-reader user would trip on in the page
 * as shown: form controls without an accessible name, buttons without text, and content wider
 * than the window (a laptop screen must not scroll sideways).
 */
export function accessibilityIssues(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const issues: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("input, select, textarea"))) {
      const control = el as HTMLInputElement;
      const named = (control.labels?.length ?? 0) > 0 || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
      if (!named) issues.push(`${location.hash}: unlabelled ${el.tagName.toLowerCase()} ${control.name ?? ""}`);
    }
    for (const button of Array.from(document.querySelectorAll("button"))) {
      if (!(button.textContent ?? "").trim() && !button.getAttribute("aria-label")) issues.push(`${location.hash}: button without a name`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth) issues.push(`${location.hash}: ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
    return issues;
  });
}
