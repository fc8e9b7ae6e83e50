// prepare: `npm install` / `npm ci` build the admin console (npm run build:console), so a
// fresh clone serves /console. A production install without dev dependencies (no Vite) skips
// the build with a note instead of failing the install; /console then answers 503.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
try {
  require.resolve("vite/package.json");
} catch {
  console.warn("accord: the admin console was not built (Vite is not installed: dev dependencies omitted); /console will answer 503 until `npm run build:console`.");
  process.exit(0);
}
const run = spawnSync("npm", ["run", "build:console"], { stdio: "inherit", shell: process.platform === "win32" });
process.exit(run.status ?? 1);
