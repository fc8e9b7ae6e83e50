// main.ts: the `accord` command. Each subcommand lives in its own file and is listed in COMMANDS;
// adding one (serve, keys, export, ...) is one import and one line here.
import { pathToFileURL } from "node:url";
import type { Command } from "./command.js";
import { exportCommand } from "./export-command.js";
import { importCommand } from "./import-command.js";
import { keysCommand } from "./keys-command.js";
import { serveCommand } from "./serve-command.js";
import { validateCommand } from "./validate-command.js";


const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  validate: validateCommand,
  keys: keysCommand,
  export: exportCommand,
  import: importCommand,
};

/** main dispatches `accord <command> [args...]` and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`accord: unknown command \`${name}\`\n\n${usage()}`);
    return 2;
  }
  return command.run(args);
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return `usage: accord <command> [arguments]\n\ncommands:\n${lines.join("\n")}\n`;
}

// Run when started directly (`tsx src/cli/main.ts ...`); bin/accord.js calls main() itself.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
