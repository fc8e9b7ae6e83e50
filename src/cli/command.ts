// Command is one subcommand of `accord`: it gets its own arguments and returns the process exit code.
export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}
