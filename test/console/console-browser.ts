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
  const fresh = () => existsSync(index) && statSync(index).mtimeMs >= newestMtime(join(ROOT, "console"));
  if (fresh()) return;
  // Browser suites run side by side: one builds while the others wait, then find it fresh.
  const lock = `${CONSOLE_DIR}.build-lock`;
  mkdirSync(join(CONSOLE_DIR, ".."), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    if (fresh()) return;
    const build = spawnSync("npm", ["run", "build:console"], { cwd: ROOT, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`npm run build:console failed:\n${build.stdout}\n${build.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

let shot = 0;
let folder = SCREENSHOTS;
/**
 * resetScreenshots empties this suite's pictures — test-output/console, or its sub-folder
 * `suite` — so a run leaves only its own; suites run side by side, so each removes its own files only.
 */
export function resetScreenshots(suite?: string): void {
  folder = suite ? join(SCREENSHOTS, suite) : SCREENSHOTS;
  if (existsSync(folder)) for (const name of readdirSync(folder)) if (name.endsWith(".png")) rmSync(join(folder, name), { force: true });
  shot = 0;
}

/** screenshot saves the page as test-output/console/[suite/]NN-name.png (not committed) and checks it. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  shot += 1;
  await page.screenshot({ path: join(folder, `${String(shot).padStart(2, "0")}-${name}.png`) });
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

/** ConsoleTab is one browser tab on the console, signed in as one actor at a time. */
export interface ConsoleTab {
  page: Page;
  /** Script errors and Content-Security-Policy violations seen so far. */
  pageErrors: string[];
  signIn(key: string, actor: string): Promise<void>;
  signOut(): Promise<void>;
  /** go sets the hash route (`#/projects/p1/content`); wait for what the view shows. */
  go(hash: string): Promise<void>;
  close(): Promise<void>;
}

/** openConsole launches Chromium on a 1366×768 tab of the console at `url`. */
export async function openConsole(url: string, timeout = 10_000): Promise<ConsoleTab> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  page.on("console", (msg) => msg.type() === "error" && /Content Security Policy|Refused to/.test(msg.text()) && pageErrors.push(msg.text()));
  return {
    page,
    pageErrors,
    async signIn(key, actor) {
      await page.goto(`${url}/console`);
      await page.getByLabel("API key").fill(key);
      await page.getByLabel("Act as (X-Actor)").fill(actor);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByTestId("actor").filter({ hasText: actor }).waitFor();
    },
    async signOut() {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByLabel("API key").waitFor();
    },
    async go(hash) {
      await page.evaluate((h) => (location.hash = h), hash);
    },
    close: () => browser.close(),
  };
}
