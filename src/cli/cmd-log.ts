import type { CliCommand } from './command.js';
import { shown } from './shown.js';
import { read } from './connect.js';
import { json, out } from './output.js';
import { paged } from './pager.js';
import { filterInput, filterOptions, filtered, limitArg } from './filters.js';
import { ownSession } from './session-arg.js';
import { timelineLines } from './trail-format.js';
import type { CommandView } from '../api/views.js';
import type { Pause } from './trail-format.js';

export const logCommand: CliCommand = {
  name: 'log',
  summary: "the trail's timeline: commands with cwd, exit status and duration, newest last",
  usage: 'trail log [SESSION] [-a] [-n N] [--failed] [--since 2h] [--until …] [--dir DIR] [--branch B] [--session S] [--json]',
  options: { ...filterOptions, limit: { type: 'string', short: 'n' }, all: { type: 'boolean', short: 'a' } },
  run: async ({ values, positionals: given, rest }) => {
    const positionals = [...given, ...rest];
    // Inside a session, its own trail; --all or outside, every session's.
    const limit = limitArg(values.limit, 50, 10_000);
    const session = positionals[0] ?? (values.all ? undefined : await ownSession());
    const list = await read('trail.log', { ...filterInput(values, session), limit });
    // Services' events come in time order among the commands (the newest 50 when there is no command to place them by).
    // When the whole trail is listed, what happened before its first command is shown too.
    const whole = list.length < limit;
    const events = values.json || filtered(values) ? [] : await read('trail.events', { session, since: whole ? undefined : list[0]?.startedAt });
    if (values.json) json(list);
    else if (!list.length && events.length) await paged(timelineLines([], [], shown(events.slice(-limit))).join('\n'), Boolean(values['no-pager']));
    else if (!list.length)
      out(
        filtered(values) || positionals[0]
          ? 'no command in the trail matches these filters'
          : session
            ? `no commands in ${session}'s trail yet (trail log -a shows every session's)`
            : 'no commands in the trail yet',
      );
    else {
      const pauses = await read('trail.pauses', { session });
      const lines = timelineLines(shown(list), shown(pauses), shown(events), whole);
      if (list.length === limit) {
        const { count } = await read('trail.count', filterInput(values, session));
        if (count > limit)
          lines.unshift(
            `(${count - limit} older command${count - limit === 1 ? '' : 's'} not shown: ${['trail log', positionals[0], values.all ? '-a' : ''].filter(Boolean).join(' ')} -n ${Math.min(10_000, count)} shows ${count > 10_000 ? 'more' : 'them'})`,
          );
      }
      await paged(lines.join('\n'), Boolean(values['no-pager']));
    }
    return 0;
  },
};
