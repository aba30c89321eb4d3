import type { CliCommand } from './command.js';
import { call, termSize } from './connect.js';
import { attach, nestedRefusal } from './attach-client.js';
import type { SessionView } from '../api/views.js';

export const defaultCommand: CliCommand = {
  name: '',
  summary: 'attach to the session for this directory (its git root), creating it if needed',
  usage: 'trail [--no-brief]',
  options: { 'no-brief': { type: 'boolean' } },
  optionHelp: { 'no-brief': { text: 'no briefing on arriving, however long you were away' } },
  run: async ({ values }) => {
    const nested = nestedRefusal();
    if (nested) {
      process.stderr.write(nested + '\n');
      return 1;
    }
    const s = await call('session.ensure', {
      dir: process.cwd(),
      shell: process.env.SHELL,
      ...termSize(),
    });
    return attach({ session: s.name, readOnly: false, noBrief: Boolean(values['no-brief']) });
  },
};
