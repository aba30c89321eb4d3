import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { attach } from './attach-client.js';

export const attachCommand: CliCommand = {
  name: 'attach',
  aliases: ['a'],
  summary: 'attach to a session (several clients may watch one terminal)',
  usage: 'trail attach NAME [-t TERMINAL] [--read-only] [--no-brief] [--detach-key KEY] [--prefix-key KEY]',
  options: {
    terminal: { type: 'string', short: 't' },
    'read-only': { type: 'boolean', short: 'r' },
    'detach-key': { type: 'string' },
    'prefix-key': { type: 'string' },
    'no-brief': { type: 'boolean' },
  },
  optionHelp: { 'no-brief': { text: 'no briefing on arriving, however long you were away' } },
  run: async ({ values, positionals }) => {
    if (!positionals[0]) throw new UsageError('attach needs a session name (trail ls lists them)');
    return attach({
      session: positionals[0],
      terminal: values.terminal as string | undefined,
      readOnly: Boolean(values['read-only']),
      noBrief: Boolean(values['no-brief']),
      detachKey: values['detach-key'] as string | undefined,
      prefixKey: values['prefix-key'] as string | undefined,
    });
  },
};
