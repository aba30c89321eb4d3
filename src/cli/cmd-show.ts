import type { CliCommand } from './command.js';
import { shown } from './shown.js';
import { UsageError } from './command.js';
import { read } from './connect.js';
import { json } from './output.js';
import { fullView } from './trail-format.js';
import { paged } from './pager.js';
import type { CommandView } from '../api/views.js';

export const showCommand: CliCommand = {
  name: 'show',
  summary: 'one command with its whole kept output',
  usage: 'trail show ID [--raw] [--json]',
  options: { raw: { type: 'boolean' }, json: { type: 'boolean' }, 'no-pager': { type: 'boolean' } },
  run: async ({ values, positionals }) => {
    const id = Number((positionals[0] ?? '').replace(/^#/, ''));
    if (!Number.isInteger(id) || id <= 0) throw new UsageError('show needs a command id (the #N in trail log)');
    const c = await read('command.show', { id });
    if (values.json) json(c);
    else await paged(fullView(shown(c), Boolean(values.raw)), Boolean(values['no-pager']));
    return 0;
  },
};
