import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { out } from './output.js';

export const killCommand: CliCommand = {
  name: 'kill',
  summary: 'end a session and its terminals (its trail is kept)',
  usage: 'trail kill NAME',
  options: {},
  run: async ({ positionals }) => {
    if (!positionals[0]) throw new UsageError('kill needs a session name');
    await call('session.kill', { name: positionals[0] });
    out(`killed session ${positionals[0]}`);
    return 0;
  },
};
