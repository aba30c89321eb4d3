import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { sessionArg, SESSION_HELP } from './session-arg.js';
import { identity } from './identity.js';

export const contextCommand: CliCommand = {
  name: 'context',
  summary: 'what an assistant needs to continue the work, under a budget of tokens: the briefing, notes, recent commands (failures first), services',
  usage: 'trail context [SESSION] [--since TIME] [--budget TOKENS] [--format md|json]',
  options: { since: { type: 'string' }, budget: { type: 'string' }, format: { type: 'string' }, session: { type: 'string', short: 's' } },
  optionHelp: {
    since: { arg: 'TIME', text: 'from this time instead of your last visit (10m, 2h, 2026-11-20)' },
    budget: { arg: 'TOKENS', text: 'at most this many tokens, counted as characters / 4 rounded up (default 8000)' },
    format: { arg: 'md|json', text: 'markdown to paste into an assistant (default), or JSON' },
    session: SESSION_HELP,
  },
  more: 'Most important first; what did not fit is counted at the end. It does not count as a visit: your next briefing is unchanged.',
  run: async ({ values, positionals }) => {
    const budget = values.budget === undefined ? 8000 : Number(values.budget);
    if (!Number.isInteger(budget) || budget < 200 || budget > 1_000_000) throw new UsageError(`--budget takes a number of tokens from 200 to 1000000, not ${JSON.stringify(values.budget)}`);
    const format = (values.format ?? 'md') as string;
    if (format !== 'md' && format !== 'json') throw new UsageError(`--format is md or json, not ${JSON.stringify(format)}`);
    const session = await sessionArg((positionals[0] ?? values.session) as string | undefined, 'context');
    const r = await call('session.context', { session, identity: identity(), since: values.since as string | undefined, budget, format });
    process.stdout.write(r.text.endsWith('\n') ? r.text : r.text + '\n');
    return 0;
  },
};
