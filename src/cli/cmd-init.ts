import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { integrationScript, SUPPORTED_SHELLS, type ShellKind } from '../api/shell-scripts.js';

export const initCommand: CliCommand = {
  name: 'init',
  summary: 'print the shell integration script trail injects (bash, zsh, fish)',
  usage: 'trail init bash|zsh|fish',
  options: {},
  run: async ({ positionals }) => {
    const kind = positionals[0] as ShellKind;
    if (!SUPPORTED_SHELLS.includes(kind)) throw new UsageError(`init takes one of ${SUPPORTED_SHELLS.join(', ')}`);
    process.stdout.write(integrationScript(kind));
    return 0;
  },
};
