// console-routes: the admin console (a static single-page app built from console/ into
// dist/console by `npm run build:console`, also run by `npm install`). The page and its assets
// hold no data, so they are served without credentials; every API call the page makes
// carries the signed-in key. Mounted before authentication.
import express, { Router } from "express";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DomainError, notFound } from "../../domain/errors.js";

/** CONSOLE_DIR is where `npm run build:console` writes the console (repo root/dist/console). */
export const CONSOLE_DIR = resolve(import.meta.dirname, "..", "..", "..", "dist", "console");

export function consoleRoutes(dir: string = CONSOLE_DIR): Router {
  const router = Router();
  const index = join(dir, "index.html");
  // NOTE: index.html is read per request (it is tiny), so a rebuild is served without a restart.
  router.get("/console", (_req, res, next) => {
    if (!existsSync(index)) {
      // Not retryable by waiting: no Retry-After, unlike an engine outage.
      return next(new DomainError({ kind: "unavailable", detail: "the admin console is not built: run `npm run build:console` (npm install runs it too)" }));
    }
    res.setHeader("Cache-Control", "no-cache");
    res.type("html").send(readFileSync(index, "utf8"));
  });
  // Asset names carry a content hash: cache them for long.
  router.use("/console/assets", express.static(join(dir, "assets"), { index: false, immutable: true, maxAge: "365d" }));
  // A missing asset is a 404 here, not a 401 from the authentication that follows.
  router.use("/console/assets", (req, _res, next) => next(notFound(`no console asset ${req.path}`)));
  return router;
}
