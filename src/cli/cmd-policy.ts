import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { out } from './output.js';
import { sessionArg, SESSION_HELP } from './session-arg.js';
import { identity } from './identity.js';

const SAYS = { read: 'agents may read only', notes: 'agents may read and leave notes', run: 'agents may read, leave notes, run commands and send keys' };

export const policyCommand: CliCommand = {
  name: 'policy',
  summary: 'what AI agents may do in a session: read (the default), notes, or run; only you can set it',
  usage: 'trail policy [SESSION] [read|notes|run]',
  options: { session: { type: 'string', short: 's' } },
  optionHelp: { session: SESSION_HELP },
  more: 'An agent connected with trail mcp sees the tools the policy allows when it connects (reconnect it after a change).',
  run: async ({ values, positionals }) => {
    const levels = ['read', 'notes', 'run'];
    // The level comes last (a session may be named run too).
    const lastIsLevel = positionals.length > 0 && levels.includes(positionals[positionals.length - 1]);
    const level = (lastIsLevel ? positionals[positionals.length - 1] : undefined) as 'read' | 'notes' | 'run' | undefined;
    const rest = lastIsLevel ? positionals.slice(0, -1) : positionals;
    if (rest.length > 1) throw new UsageError(`policy takes a session and one of read, notes, run, not ${JSON.stringify(rest.join(' '))}`);
    const session = await sessionArg((rest[0] ?? values.session) as string | undefined, 'policy');
    const r = await call('session.policy', { session, level, actor: identity() });
    out(`${r.session}: ${SAYS[r.level]} (${r.level})`);
    return 0;
  },
};
