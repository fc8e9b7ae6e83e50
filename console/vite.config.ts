// vite.config: builds the admin console (Preact, no CDN) into dist/console, served by the API
// server at /console (src/http/routes/console-routes.ts). Scripts ship as files: helmet's
// Content-Security-Policy forbids inline scripts.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "/console/",
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  // `npx vite --config console/vite.config.ts`: the console with hot reload, its API calls
  // forwarded to a running Accord (ACCORD_URL, default the local server).
  server: { proxy: { "/v1": process.env.ACCORD_URL ?? "http://127.0.0.1:8080" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/console", import.meta.url)),
    emptyOutDir: true,
    // NOTE: no module-preload polyfill: it would be the only inline-ish code and every
    // supported browser has modulepreload.
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: "es2022",
  },
});
