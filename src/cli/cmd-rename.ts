import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { out } from './output.js';

export const renameCommand: CliCommand = {
  name: 'rename',
  summary: 'rename a session',
  usage: 'trail rename OLD NEW',
  options: {},
  run: async ({ positionals }) => {
    if (positionals.length !== 2) throw new UsageError('rename needs OLD and NEW names');
    await call('session.rename', { from: positionals[0], to: positionals[1] });
    out(`renamed ${positionals[0]} to ${positionals[1]}`);
    return 0;
  },
};
