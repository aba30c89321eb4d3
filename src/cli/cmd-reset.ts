import type { CliCommand } from './command.js';
import { call } from './connect.js';
import { out } from './output.js';
import { sessionArg, SESSION_HELP } from './session-arg.js';
import { identity } from './identity.js';
import { escapeControls } from './shown.js';

export const resetCommand: CliCommand = {
  name: 'reset',
  summary: 'start a new chapter: the briefing and context look at it only; the trail keeps everything before it',
  usage: 'trail reset [SESSION] [--title TEXT]',
  options: { title: { type: 'string' }, session: { type: 'string', short: 's' } },
  optionHelp: {
    title: { arg: 'TEXT', text: 'what this chapter is about (shown in the briefing and trail log)' },
    session: SESSION_HELP,
  },
  run: async ({ values, positionals }) => {
    const session = await sessionArg((positionals[0] ?? values.session) as string | undefined, 'reset');
    const r = await call('session.reset', { session, title: values.title as string | undefined, actor: identity() });
    out(`new chapter of ${r.session}${r.title ? `: ${escapeControls(r.title)}` : ''} (earlier commands stay in trail log and trail search)`);
    return 0;
  },
};
