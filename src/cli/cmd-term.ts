import type { CliCommand } from './command.js';
import { shown, escapeControls } from './shown.js';
import { UsageError } from './command.js';
import { call, termSize } from './connect.js';
import { ago, json, out, table } from './output.js';
import { sessionArg } from './session-arg.js';
import type { TerminalInfo } from '../wire/protocol.js';

export const termCommand: CliCommand = {
  name: 'term',
  summary: "a session's terminals: new, ls, kill",
  usage: 'trail term new [SESSION] [-- COMMAND...] | trail term ls [SESSION] [--json] | trail term kill [SESSION] TERMINAL',
  options: { json: { type: 'boolean' } },
  run: async ({ values, positionals, rest }) => {
    const [verb, ...args] = positionals;
    switch (verb) {
      case 'new': {
        const t = await call('term.new', {
          session: await sessionArg(args[0], 'term new'),
          command: rest.length ? rest : undefined,
          shell: process.env.SHELL,
          ...termSize(),
        });
        if (values.json) json(t);
        else out(`started terminal ${t.index} (${t.id}) in ${escapeControls(t.session)}`);
        return 0;
      }
      case 'ls':
      case 'list': {
        const list = await call('term.list', { session: await sessionArg(args[0], 'term ls') });
        if (values.json) {
          json(list);
          return 0;
        }
        out(
          table([
            ['#', 'ID', 'COMMAND', 'SIZE', 'CLIENTS', 'RECORDED', 'STARTED'],
            ...shown(list).map((t) => [
              String(t.index),
              t.id,
              t.command.join(' ').slice(0, 50),
              `${t.cols}x${t.rows}`,
              String(t.clients),
              t.integrated ? 'yes' : t.shell ? 'starting' : 'no',
              ago(t.createdAt),
            ]),
          ]),
        );
        return 0;
      }
      case 'kill': {
        const [session, terminal] = args.length >= 2 ? args : [undefined, args[0]];
        if (!terminal) throw new UsageError('term kill needs a terminal (its number or id: trail term ls)');
        await call('term.kill', { session: await sessionArg(session, 'term kill'), terminal });
        out(`killed terminal ${terminal}`);
        return 0;
      }
      default:
        throw new UsageError(`term needs new, ls or kill`);
    }
  },
};
