// Renders command records for people: the timeline line and the full view.
import type { CommandView } from '../api/views.js';
import { clock, duration, paint } from './output.js';

export function statusText(c: CommandView): string {
  if (c.exitCode === null) {
    if (c.endReason) return paint.yellow(c.endReason.startsWith('the daemon') ? 'lost' : 'no status');
    return paint.yellow(c.endedAt === null ? 'running' : '?');
  }
  return c.exitCode === 0 ? paint.green('ok') : paint.red(`exit ${c.exitCode}`);
}

export function timelineLines(list: CommandView[]): string[] {
  const lines: string[] = [];
  let cwd: string | null = null;
  let session: string | null = null;
  for (const c of list) {
    if (c.session !== session) {
      session = c.session;
      cwd = null;
      lines.push(paint.bold(`── ${c.session}`));
    }
    if (c.cwd && c.cwd !== cwd) {
      cwd = c.cwd;
      const branch = c.git?.branch ? ` (${c.git.branch}${c.git.dirty ? '*' : ''})` : '';
      lines.push(paint.dim(`   in ${c.cwd}${branch}`));
    }
    const first = c.command.split('\n')[0] + (c.command.includes('\n') ? ' …' : '');
    const line = `${paint.dim(`#${c.id}`)} ${clock(c.startedAt)}  ${c.exitCode ? paint.red(first) : first}  ${statusText(c)} ${paint.dim(duration(c.durationMs))}${c.actor !== 'user' ? paint.dim(' by ' + c.actor) : ''}`;
    lines.push(line);
  }
  return lines;
}

export function fullView(c: CommandView, raw: boolean): string {
  const head = [
    `${paint.bold(`#${c.id}`)} ${c.command}`,
    `  session ${c.session}${c.cwd ? `, in ${c.cwd}` : ''}${c.git ? `, git ${c.git.branch ?? '(detached)'} ${c.git.head?.slice(0, 10) ?? ''}${c.git.dirty ? ' (dirty)' : ''}` : ''}`,
    `  ${clock(c.startedAt)}, ${c.endedAt === null && !c.endReason ? 'still running' : `took ${duration(c.durationMs)}`}, ${statusText(c)}${c.endReason ? ` (${c.endReason})` : ''}${c.actor !== 'user' ? `, by ${c.actor}` : ''}`,
    `  output: ${c.outputBytes} bytes${c.outputTruncated ? ' (head and tail kept)' : ''}${c.screen ? ' (full-screen program: its last screen)' : ''}`,
    '',
  ];
  const body = raw && c.raw ? c.raw : (c.output ?? '');
  return head.join('\n') + '\n' + body + (body.endsWith('\n') || body === '' ? '' : '\n');
}
