import type { CliCommand } from './command.js';
import { UsageError } from './command.js';
import { call } from './connect.js';
import { json, out, paint } from './output.js';
import { sessionArg, SESSION_HELP } from './session-arg.js';
import { identity } from './identity.js';
import { DEFAULT_RULES, PROTECTED_RULES } from '../common/default-rules.js';

const SAYS = { read: 'agents may read only', notes: 'agents may read and leave notes', run: 'agents may read, leave notes, run commands and send keys' };

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

export const policyCommand: CliCommand = {
  name: 'policy',
  summary: 'what AI agents may do in a session (read, the default; notes; run) and rules for the commands they run; only you can set them',
  usage: "trail policy [SESSION] [read|notes|run] [--allow P] [--confirm P] [--deny P] [--remove P] [--json]",
  options: {
    session: { type: 'string', short: 's' },
    allow: { type: 'string', multiple: true },
    confirm: { type: 'string', multiple: true },
    deny: { type: 'string', multiple: true },
    remove: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  optionHelp: {
    session: SESSION_HELP,
    allow: { arg: 'P', text: 'commands matching P run without asking (it overrides a confirm rule, never a deny rule)' },
    confirm: { arg: 'P', text: 'commands matching P wait for you: trail approve ID or trail deny ID' },
    deny: { arg: 'P', text: 'commands matching P are refused' },
    remove: { arg: 'P', text: 'removes your rule for P' },
  },
  more: [
    'A pattern P is a program and the arguments it must have ("rm -rf", "git push --force", "kubectl delete"),',
    'matched on every command a line runs: in pipelines, lists, subshells, $(…), backticks, sh -c and eval strings,',
    "after quotes are removed and /bin/rm is reduced to rm (rm -r -f and rm --recursive --force match \"rm -rf\").",
    'Or /REGEX/, matched on the text, case-insensitive. A line whose commands cannot be known from its text',
    '($CMD, a glob as the program, a shell reading stdin, xargs) waits for you when a deny or confirm rule exists.',
    `trail's defaults ask to confirm: ${DEFAULT_RULES.map((r) => r.pattern).join(', ')}; --allow one of them to let it through.`,
    'An agent connected with trail mcp is told at once when the level changes (its tool list follows).',
  ].join('\n'),
  run: async ({ values, positionals }) => {
    const levels = ['read', 'notes', 'run'];
    // The level comes last (a session may be named run too).
    const lastIsLevel = positionals.length > 0 && levels.includes(positionals[positionals.length - 1]);
    const level = (lastIsLevel ? positionals[positionals.length - 1] : undefined) as 'read' | 'notes' | 'run' | undefined;
    const rest = lastIsLevel ? positionals.slice(0, -1) : positionals;
    if (rest.length > 1) throw new UsageError(`policy takes a session and one of read, notes, run, not ${JSON.stringify(rest.join(' '))} (quote a pattern: --confirm 'rm -rf')`);
    const session = await sessionArg((rest[0] ?? values.session) as string | undefined, 'policy');
    const r = await call('session.policy', { session, level, allow: list(values.allow), confirm: list(values.confirm), deny: list(values.deny), remove: list(values.remove), actor: identity() });
    if (values.json) return json(r), 0;
    out(`${r.session}: ${SAYS[r.level]} (${r.level})`);
    out('rules for the commands agents run:');
    const own = new Set(PROTECTED_RULES.map((x) => x.pattern));
    for (const rule of r.rules) out(`  ${rule.action.padEnd(7)} ${rule.pattern}${own.has(rule.pattern) ? paint.dim("  (trail's own boundary, always on)") : rule.default ? paint.dim("  (trail's default)") : ''}`);
    return 0;
  },
};
