import type { CliCommand } from './command.js';
import { call } from './connect.js';
import { json, out } from './output.js';
import { sessionArg, SESSION_HELP } from './session-arg.js';
import { briefingLines, fit } from './briefing-view.js';
import { identity } from './identity.js';

export const briefCommand: CliCommand = {
  name: 'brief',
  summary: 'what happened in a session since your last visit: what broke, what finished, git, others, where you were, notes',
  usage: 'trail brief [SESSION] [--since TIME] [--full] [--mark] [--json]',
  options: { since: { type: 'string' }, full: { type: 'boolean' }, json: { type: 'boolean' }, session: { type: 'string', short: 's' }, mark: { type: 'boolean' } },
  optionHelp: {
    since: { arg: 'TIME', text: 'from this time instead of your last visit (10m, 2h, 2026-11-20)' },
    full: { text: 'every item, not the most important few of each kind' },
    mark: { text: 'count this as a visit: the next briefing starts from now' },
    session: SESSION_HELP,
  },
  more: 'Your visits end when you detach; reading the briefing does not count as one unless --mark (or you never attach to the session: then reading is your visit). TRAIL_ACTOR=NAME gives an assistant that runs trail as you a briefing of its own. Shown on attaching too, after 10 minutes away (config.yaml: brief: { after: 10m, on: true }; trail --no-brief).',
  run: async ({ values, positionals }) => {
    const session = await sessionArg((positionals[0] ?? values.session) as string | undefined, 'brief');
    const since = values.since as string | undefined;
    const r = await call('session.brief', { session, identity: identity(), since, full: Boolean(values.full), mark: values.mark ? true : undefined });
    if (values.json) return json(r.briefing), 0;
    const width = process.stdout.isTTY ? process.stdout.columns : 0;
    for (const l of briefingLines(r.briefing!, { since, full: Boolean(values.full) })) out(width ? fit(l, width) : l);
    return 0;
  },
};
