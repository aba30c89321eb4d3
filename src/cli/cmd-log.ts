import type { CliCommand } from './command.js';
import { shown } from './shown.js';
import { call } from './connect.js';
import { json, out } from './output.js';
import { filterInput, filterOptions } from './filters.js';
import { timelineLines } from './trail-format.js';
import type { CommandView } from '../api/views.js';
import type { Pause } from './trail-format.js';

export const logCommand: CliCommand = {
  name: 'log',
  summary: "the trail's timeline: commands with cwd, exit status and duration, newest last",
  usage: 'trail log [SESSION] [-n N] [--failed] [--since 2h] [--until …] [--dir DIR] [--branch B] [--json]',
  options: { ...filterOptions, limit: { type: 'string', short: 'n' }, all: { type: 'boolean', short: 'a' } },
  run: async ({ values, positionals }) => {
    // Inside a session, its own trail; --all or outside, every session's.
    const session = positionals[0] ?? (values.all ? undefined : process.env.TRAIL_SESSION);
    const list = await call<CommandView[]>('trail.log', {
      ...filterInput(values, session),
      limit: values.limit ? Number(values.limit) : 50,
    });
    if (values.json) json(list);
    else if (!list.length) out('no commands in the trail yet');
    else {
      const pauses = await call<Pause[]>('trail.pauses', { session });
      out(timelineLines(shown(list), shown(pauses)).join('\n'));
    }
    return 0;
  },
};
