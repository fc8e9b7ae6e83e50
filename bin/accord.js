#!/usr/bin/env node
// accord.js: the `accord` executable. The CLI is TypeScript, run through tsx's loader so that
// `npx accord ...` works straight after `npm install`, with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
