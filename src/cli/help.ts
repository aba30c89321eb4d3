// `trail help CMD`, `trail CMD --help` and `-h`: the usage line, what the
// command does, and every option it takes, from the command's own table.
import type { CliCommand } from './command.js';

/** What an option means, for options that mean the same in every command. */
const MEANING: Record<string, { arg?: string; text: string }> = {
  json: { text: 'print JSON instead of text' },
  session: { arg: 'S', text: 'only the session S' },
  dir: { arg: 'DIR', text: 'only commands run in DIR or below it (relative to here)' },
  failed: { text: 'only commands that failed (exit status not 0)' },
  since: { arg: 'TIME', text: 'only since TIME: 90s, 30m, 2h, 3d, or a date (2026-11-01, 2026-11-01T09:30)' },
  until: { arg: 'TIME', text: 'only until TIME (as --since)' },
  branch: { arg: 'B', text: 'only commands run on the git branch B' },
  limit: { arg: 'N', text: 'at most N entries' },
  all: { text: 'every session, not only the one this shell runs in' },
  raw: { text: 'the output as the terminal got it, colours and all' },
  terminal: { arg: 'T', text: 'the terminal T (its number or id)' },
  detached: { text: 'create it without attaching' },
  force: { text: 'even if clients are attached or commands run' },
  'read-only': { text: 'watch without typing (keys other than detach are ignored)' },
  'detach-key': { arg: 'KEY', text: 'the detach key (default C-\\, or $TRAIL_DETACH_KEY)' },
  'prefix-key': { arg: 'KEY', text: 'the prefix key (default C-], or $TRAIL_PREFIX_KEY)' },
  'no-pager': { text: 'print straight to the terminal, without $PAGER' },
  help: { text: 'this help' },
};

export function commandHelp(c: CliCommand): string {
  const lines = [`usage: ${c.usage}`, '', c.summary];
  if (c.aliases?.length) lines.push(`(also: trail ${c.aliases.join(', trail ')})`);
  const opts: [string, { type: 'string' | 'boolean'; short?: string }][] = [...Object.entries(c.options), ['help', { type: 'boolean', short: 'h' }]];
  const rows = opts.map(([name, o]) => {
    const m = c.optionHelp?.[name] ?? MEANING[name] ?? { text: '' };
    const arg = o.type === 'string' ? ` ${m.arg ?? 'VALUE'}` : '';
    return [`${o.short ? `-${o.short}, ` : '    '}--${name}${arg}`, m.text];
  });
  const width = Math.max(...rows.map((r) => r[0].length));
  lines.push('', 'options:', ...rows.map(([l, t]) => `  ${l.padEnd(width)}  ${t}`));
  if (c.more) lines.push('', c.more);
  return lines.join('\n');
}
