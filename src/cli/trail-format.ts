// Renders command records for people: the timeline line and the full view.
import type { CommandView } from '../api/views.js';
import { clock, duration, paint } from './output.js';

export function statusText(c: CommandView): string {
  if (c.exitCode === null && c.actor.startsWith('import:')) return paint.dim('imported');
  if (c.exitCode === null) {
    if (c.endReason) return paint.yellow(c.endReason.startsWith('the daemon') ? 'lost' : 'no status');
    return paint.yellow(c.endedAt === null ? 'running' : '?');
  }
  return c.exitCode === 0 ? paint.green('ok') : paint.red(`exit ${c.exitCode}`);
}

export type Pause = { session: string; terminal: number; from: number; to: number | null };
export type ServiceEvent = { session: string; at: number; kind: string; service: string; text: string };

/** whole: the list is the whole trail, so pauses and events before its first command are shown too. */
export function timelineLines(list: CommandView[], pauses: Pause[] = [], events: ServiceEvent[] = [], whole = false): string[] {
  const lines: string[] = [];
  let cwd: string | null = null;
  let where = '';
  let session: string | null = null;
  // Pauses that fall within the listed span are shown where they began.
  const from = list.length && !whole ? list[0].startedAt : -Infinity;
  const todo = pauses.filter((p) => (p.to ?? Infinity) >= from).sort((a, b) => a.from - b.from);
  const pauseLine = (p: Pause) =>
    paint.yellow(`   ‖ recording paused in ${p.session} terminal ${p.terminal} from ${clock(p.from)} ${p.to === null ? '(still paused)' : `to ${clock(p.to)}`}`);
  // Service events within the listed span, at their time among the commands.
  const evs = events.filter((e) => e.at >= from).sort((a, b) => a.at - b.at);
  const bad = new Set(['service.exited', 'service.gave_up', 'service.failed']);
  const eventLine = (e: ServiceEvent) => {
    const text = `   ◆ ${clock(e.at).slice(11)} ${e.service}: ${e.text}${e.session !== session ? ` (${e.session})` : ''}`;
    return bad.has(e.kind) && !/code 0$/.test(e.text) ? paint.red(text) : paint.dim(text);
  };
  for (const c of list) {
    while (todo.length && todo[0].from <= c.startedAt) lines.push(pauseLine(todo.shift()!));
    while (evs.length && evs[0].at <= c.startedAt) lines.push(eventLine(evs.shift()!));
    if (c.session !== session) {
      session = c.session;
      cwd = null;
      lines.push(paint.bold(`── ${c.session}`));
    }
    // A new header when the directory or the branch changes (after `git checkout -b`, say).
    const branch = c.git?.branch ? ` (${c.git.branch}${c.git.dirty ? '*' : ''})` : '';
    if (c.cwd && (c.cwd !== cwd || branch.replace('*)', ')') !== where)) {
      cwd = c.cwd;
      where = branch.replace('*)', ')');
      lines.push(paint.dim(`   in ${c.cwd}${branch}`));
    }
    const first = c.command.split('\n')[0] + (c.command.includes('\n') ? ' …' : '');
    const line = `${paint.dim(`#${c.id}`)} ${clock(c.startedAt)}  ${c.exitCode ? paint.red(first) : first}  ${statusText(c)} ${paint.dim(duration(c.durationMs))}${c.actor !== 'user' && !c.actor.startsWith('import:') ? paint.dim(' by ' + c.actor) : ''}`;
    lines.push(line);
  }
  for (const p of todo) lines.push(pauseLine(p));
  for (const e of evs) {
    if (e.session !== session) {
      session = e.session;
      lines.push(paint.bold(`── ${e.session}`));
    }
    lines.push(eventLine(e));
  }
  return lines;
}

export function fullView(c: CommandView, raw: boolean): string {
  const head = [
    `${paint.bold(`#${c.id}`)} ${c.command}`,
    `  session ${c.session}${c.cwd ? `, in ${c.cwd}` : ''}${c.git ? `, git ${[c.git.branch ?? '(detached)', c.git.head?.slice(0, 10)].filter(Boolean).join(' ')}${c.git.dirty ? ' (dirty)' : ''}` : ''}`,
    c.actor.startsWith('import:')
      ? `  ${clock(c.startedAt)}, imported from ${c.actor.slice(7)}${c.host ? `, ran on ${c.host}` : ''}${c.durationMs !== null ? `, took ${duration(c.durationMs)}` : ''}${c.exitCode !== null ? `, ${statusText(c)}` : ''}`
      : `  ${clock(c.startedAt)}, ${c.endedAt === null && !c.endReason ? 'still running' : c.durationMs === null ? 'ended' : `took ${duration(c.durationMs)}`}, ${statusText(c)}${c.endReason ? ` (${c.endReason})` : ''}${c.actor !== 'user' ? `, by ${c.actor}` : ''}`,
    c.actor.startsWith('import:') ? '  (no output: imported history keeps only the command)' : c.outputBytes === 0 && !c.screen ? '  no output' : `  output: ${c.outputBytes} bytes${c.outputTruncated ? ' (head and tail kept)' : ''}${c.screen ? ' (full-screen program: its last screen)' : ''}`,
    '',
  ];
  const body = raw && c.raw ? c.raw : (c.output ?? '');
  return head.join('\n') + '\n' + body + (body.endsWith('\n') || body === '' ? '' : '\n');
}
