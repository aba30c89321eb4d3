// The shape of a CLI subcommand: declared at the top of its own file (as tmux's
// cmd_entry), registered in index.ts, and described by `trail help`.
import type { ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export type CliCommand = {
  name: string;
  aliases?: string[];
  summary: string;
  usage: string;
  options: Options;
  /** What its own options mean, where the shared table (help.ts) does not say. */
  optionHelp?: Record<string, { arg?: string; text: string }>;
  /** More to say in its help: subcommands, examples. */
  more?: string;
  /** Returns the process exit code. */
  run: (args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[]; rest: string[] }) => Promise<number>;
};

export class UsageError extends Error {}
