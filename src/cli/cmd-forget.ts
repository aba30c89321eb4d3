import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { json, out } from './output.js';

export const forgetCommand: CliCommand = {
  name: 'forget',
  summary: 'remove commands and their output (by id, by time, or holding a text) from the trail, its indexes and the file itself',
  usage: 'trail forget ID… | trail forget --match TEXT | trail forget --since TIME [--until TIME]  [--session S] [--json]',
  options: { match: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, session: { type: 'string', short: 's' }, json: { type: 'boolean' } },
  optionHelp: {
    match: { arg: 'TEXT', text: 'every command, service output line and note that holds TEXT (any case)' },
    since: { arg: 'TIME', text: 'what started since then (10m, 2h, 2026-11-20)' },
    until: { arg: 'TIME', text: 'what started until then' },
    session: { arg: 'S', text: 'only in this session (default: every session)' },
  },
  more: 'The trail keeps a "forgot N commands" line, never what they were. Deleted pages are zeroed and the write-ahead log emptied, so no copy stays in the database file.',
  run: async ({ values, positionals }) => {
    const bad = positionals.find((p) => !/^\d+$/.test(p));
    if (bad !== undefined) throw new UsageError(`forget takes command ids (numbers; trail log shows them), not ${JSON.stringify(bad)}`);
    const r = await call('trail.forget', {
      ids: positionals.map(Number),
      session: values.session as string | undefined,
      since: values.since as string | undefined,
      until: values.until as string | undefined,
      match: values.match as string | undefined,
    });
    if (values.json) return json(r), 0;
    out(`forgot ${r.commands} command(s), ${r.lines} service output line(s), ${r.notes} note(s)${r.walCleared ? '' : ' (a reader held the write-ahead log: run trail forget again with the same arguments to clear it)'}`);
    return 0;
  },
};
