// serve-command: `accord serve` starts the server (the same as `npm start`).
import type { Command } from "./command.js";

export const serveCommand: Command = {
  summary: "start the Accord server (configured by environment variables)",
  async run() {
    await import("../main.js");
    // The server keeps the process alive; main.ts exits on SIGTERM/SIGINT.
    return new Promise<number>(() => undefined);
  },
};
