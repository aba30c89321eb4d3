import type { CliCommand } from './command.js';
import { call, termSize } from './connect.js';
import { attach, nestedRefusal } from './attach-client.js';
import type { SessionView } from '../api/views.js';

export const defaultCommand: CliCommand = {
  name: '',
  summary: 'attach to the session for this directory (its git root), creating it if needed',
  usage: 'trail',
  options: {},
  run: async () => {
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
    return attach({ session: s.name, readOnly: false });
  },
};
