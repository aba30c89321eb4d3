import type { CliCommand } from './command.js';
import { shown } from './shown.js';
import { read } from './connect.js';
import { json } from './output.js';
import { filterInput, filterOptions } from './filters.js';
import { fullView } from './trail-format.js';
import { paged } from './pager.js';
import { ownSession } from './session-arg.js';
import type { CommandView } from '../api/views.js';

export const lastCommand: CliCommand = {
  name: 'last',
  summary: 'the last command (or the last failing one) with its output: what just broke?',
  usage: 'trail last [-a] [--failed] [--session S] [--dir DIR] [--since …] [--until …] [--branch B] [--raw] [--json]',
  options: { ...filterOptions, raw: { type: 'boolean' }, all: { type: 'boolean', short: 'a' } },
  run: async ({ values }) => {
    const session = values.all ? undefined : await ownSession();
    const c = await read('command.last', filterInput(values, session));
    if (values.json) json(c);
    else await paged(fullView(shown(c), Boolean(values.raw)), Boolean(values['no-pager']));
    return 0;
  },
};
