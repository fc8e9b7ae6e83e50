// backend-command: the shape of a command that works on the installation the environment
// configures (export, import): no arguments but --help, the engine and store opened from the
// configuration, closed afterwards whatever happens, and a failure reported in one line.
import type { Backends } from "../compose.js";
import { openBackends } from "../compose.js";
import { loadConfig } from "../config.js";
import type { Command } from "./command.js";

export function backendCommand(name: string, summary: string, usage: string, work: (backends: Backends) => Promise<void>): Command {
  return {
    summary,
    async run(args: string[]): Promise<number> {
      if (args.includes("--help") || args.includes("-h")) {
        process.stdout.write(usage);
        return 0;
      }
      if (args.length > 0) {
        process.stderr.write(usage);
        return 2;
      }
      const backends = await openBackends(loadConfig());
      try {
        await work(backends);
        return 0;
      } catch (err) {
        process.stderr.write(`accord ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
      } finally {
        await backends.close();
      }
    },
  };
}
