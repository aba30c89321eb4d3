import type { CliCommand } from './command.js';
import { shown, escapeControls } from './shown.js';
import { UsageError } from './command.js';
import { call, read } from './connect.js';
import { json, out, paint, clock, shellWord } from './output.js';
import { filterInput, filterOptions, limitArg } from './filters.js';
import { statusText } from './trail-format.js';
import { pick } from './picker.js';
import { noteLine } from './briefing-view.js';
import { paged } from './pager.js';
import type { CommandView } from '../api/views.js';

type Hit = CommandView & { match: { field: 'command' | 'output'; line: number; excerpt: string } | null };

export const searchCommand: CliCommand = {
  name: 'search',
  summary: 'find commands by any text of their command line or output (substring)',
  usage: 'trail search -i [TEXT] | trail search TEXT [--in command|output|logs|notes] [--svc NAME] [--session S] [--dir DIR] [--failed] [--since 2h] [--until …] [--branch B] [-n N] [--json]',
  options: { ...filterOptions, limit: { type: 'string', short: 'n' }, in: { type: 'string' }, interactive: { type: 'boolean', short: 'i' }, svc: { type: 'string' } },
  optionHelp: {
    in: { arg: 'WHERE', text: "command: only command lines; output: only their output (default both, and notes); logs: services' output; notes: notes only" },
    svc: { arg: 'NAME', text: "search this service's output (implies --in logs)" },
    interactive: { text: 'a full-screen picker: type to match (fuzzy), Ctrl-R cycles the filter, Enter prints the command, Esc cancels' },
  },
  more: [
    'The picker on Ctrl-R: export TRAIL_CTRL_R=1 before trail starts your shell (in ~/.profile, say); inside',
    'a trail session, Ctrl-R then opens the picker and Enter puts the command on the prompt, not run.',
    'Elsewhere, bind it yourself; bash:  bind -x \'"\\C-r": __t=$(trail search -i -- "$READLINE_LINE") && READLINE_LINE=$__t && READLINE_POINT=${#READLINE_LINE}\'',
  ].join('\n'),
  run: async ({ values, positionals, rest }) => {
    if (values.interactive) {
      const chosen = await pick({ query: [...positionals, ...rest].join(' ') });
      if (chosen === null) return 1;
      process.stdout.write(chosen + '\n');
      return 0;
    }
    // After --, words are text even when they start with a dash (trail search -- --force).
    const text = [...positionals, ...rest].join(' ');
    if (!text) throw new UsageError('search needs some text to look for');
    const limit = limitArg(values.limit, 20, 1000);
    const where = (values.in as string | undefined) ?? (values.svc ? 'logs' : 'all');
    if (where === 'logs') {
      const hits = await call('svc.search', { text, session: values.session as string | undefined, svc: values.svc as string | undefined, since: values.since as string | undefined, limit });
      if (values.json) {
        json(hits);
        return hits.length ? 0 : 1;
      }
      if (!hits.length) {
        out(`no service's output matches ${escapeControls(JSON.stringify(text))}`);
        return 1;
      }
      const lines = hits.map((h) => `${clock(h.at)} ${paint.dim(`${h.session}/${h.service}`)} ${h.stream === 'err' ? paint.red('err') : paint.dim('out')} ${highlight(escapeControls(h.line), escapeControls(text))}`);
      await paged(lines.join('\n'), Boolean(values['no-pager']));
      return 0;
    }
    if (where === 'notes') {
      const notes = await call('note.list', { text, session: values.session as string | undefined, all: true });
      if (values.json) return json(notes), notes.length ? 0 : 1;
      if (!notes.length) return out(`no note matches ${escapeControls(JSON.stringify(text))}`), 1;
      for (const n of notes) out(`${paint.dim(n.session)} ${noteLine(n)}`);
      return 0;
    }
    if (where !== 'all' && where !== 'command' && where !== 'output') throw new UsageError(`--in takes command, output, logs or notes, not ${JSON.stringify(where)}`);
    const hits = await read('command.search', {
      text,
      in: where,
      ...filterInput(values),
      limit,
    });
    // As grep: 1 when nothing matches, with --json as without.
    if (values.json) {
      json(hits);
      return hits.length ? 0 : 1;
    }
    // Notes are found beside the commands (when a daemon runs: reading starts none).
    let notes: Awaited<ReturnType<typeof call<'note.list'>>> = [];
    if (where === 'all')
      notes = await call('note.list', { text, session: values.session as string | undefined, all: true }, { start: false }).catch(() => []);
    if (!hits.length && !notes.length) {
      out(`nothing in the trail matches ${escapeControls(JSON.stringify(text))}`);
      // Services' output is searched apart (--in logs): said when it holds the text (when a daemon runs: reading starts none).
      if (where === 'all') {
        const inLogs = await call('svc.search', { text, session: values.session as string | undefined, since: values.since as string | undefined, limit: 1 }, { start: false }).catch(() => []);
        if (inLogs.length) out(`services' output does: trail search ${shellWord(text)} --in logs`);
      }
      return 1;
    }
    const lines: string[] = notes.map((n) => `${paint.dim('note')} ${paint.dim(n.session)}  ${noteLine(n)}`);
    for (const h of shown(hits)) {
      lines.push(`${paint.dim(`#${h.id}`)} ${clock(h.startedAt)} ${paint.dim(h.session)}  ${h.command.split('\n')[0]}  ${statusText(h)}`);
      if (h.match?.field === 'output') lines.push(`    output line ${h.match.line}: ${highlight(h.match.excerpt, escapeControls(text))}`);
    }
    await paged(lines.join('\n'), Boolean(values['no-pager']));
    return 0;
  },
};

function highlight(line: string, text: string): string {
  const i = line.toLowerCase().indexOf(text.toLowerCase());
  if (i < 0) return line;
  return line.slice(0, i) + paint.bold(paint.yellow(line.slice(i, i + text.length))) + line.slice(i + text.length);
}
