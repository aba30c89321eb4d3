// How a briefing reads: about a dozen lines, most important first, each a fact
// with where to look next. Every text from the trail is escaped before it is
// printed (what a program wrote cannot drive the terminal).
import type { Briefing, NoteView } from '../contract/ops.js';
import { ago, duration, paint } from './output.js';
import { escapeControls as e, tildePath } from './shown.js';

const code = (c: number | null) => (c === null ? 'no exit code' : `exit ${c}`);
/** A command line as a briefing names it: its start, enough to know it. */
const cmd = (s: string, n = 44) => e(s.length > n ? s.slice(0, n - 1) + '…' : s);
/** A path as the person writes it: ~ for their home, relative to the session's directory inside it. */
const path = (p: string, dir?: string) => {
  if (dir && p.startsWith(dir + '/')) return e(p.slice(dir.length + 1));
  return e(tildePath(p));
};

/**
 * Cuts a line to the terminal's width, escape sequences not counted (so a
 * briefing never wraps). Where to look next (after " → ") is kept whole: the
 * middle gives way.
 */
export function fit(line: string, width: number): string {
  const at = line.lastIndexOf('  → ');
  if (at > 0) {
    const tail = line.slice(at);
    const room = width - tail.replace(/\x1b\[[0-9;]*m/g, '').length;
    if (room >= 20) return cut(line.slice(0, at), room) + tail;
  }
  return cut(line, width);
}

function cut(line: string, width: number): string {
  let seen = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const m = /^\x1b\[[0-9;]*m/.exec(line.slice(i));
      if (m) {
        i += m[0].length - 1;
        continue;
      }
    }
    if (++seen > width - 1 && i < line.length - 1) return line.slice(0, i) + '…\x1b[0m';
  }
  return line;
}

export function noteLine(n: NoteView, dir?: string): string {
  const on = n.commandId !== null ? ` (on command ${n.commandId})` : n.service !== null ? ` (on service ${e(n.service)})` : n.file !== null ? ` (${path(n.file, dir)}${n.line !== null ? `:${n.line}` : ''})` : '';
  let line = `#${n.id} ${n.pinned ? '📌 ' : ''}${e(n.text)}${on}`;
  if (n.doneAt !== null) line += paint.dim(' · done');
  if (n.stale) line += paint.yellow(n.lineNow === null ? ' · may be stale: the file or line is gone' : ` · may be stale: the line now says "${e(n.lineNow.trim().slice(0, 80))}"`);
  return line;
}

export function briefingLines(b: Briefing, opts: { since?: string; full?: boolean } = {}): string[] {
  const out: string[] = [];
  const away = b.since === null ? 'first visit' : opts.since !== undefined ? `since ${ago(b.since, b.now)}` : `away ${ago(b.since, b.now).replace(/ ago$/, '')}`;
  out.push(paint.bold(`trail: ${e(b.session)} · ${path(b.dir)} · ${away}${b.chapter ? ` · chapter: ${e(b.chapter)}` : ''}`));
  if (b.quiet)
    out.push(b.since === null ? 'Nothing has happened here yet.' : opts.since !== undefined ? `Nothing happened in the last ${duration(b.now - b.since)}.` : `Nothing happened while you were away (${duration(b.now - b.since)}).`);
  // A fact, where to look, and under it the line that says why.
  const why = (text: string | null) => text && out.push(paint.dim(`    ${e(text.slice(0, 200))}`));
  for (const s of b.services) {
    const what = [s.gaveUp ? 'gave up' : '', s.failed ? 'could not start' : '', s.crashes ? `crashed ${s.crashes}×` : '', s.restarts ? `restarted ${s.restarts}×` : '']
      .filter(Boolean)
      .join(', ');
    const now = s.gaveUp && s.state === 'gave up' ? '' : `; now ${e(s.state)}`;
    out.push(`${paint.red('✗')} service ${e(s.service)} ${what}${now}  → trail svc logs ${e(s.service)}`);
    why(s.failed ?? s.lastLine);
  }
  for (const c of b.failed) {
    if (c.passedLater) {
      const by = c.passedLater.actor !== 'user' ? ` by ${e(c.passedLater.actor)}` : '';
      out.push(`${paint.green('✓')} ${cmd(c.command)} · failed (${code(c.exitCode)}), passed again ${ago(c.passedLater.endedAt, b.now)}${by}  → trail show ${c.passedLater.id}`);
      continue;
    }
    out.push(`${paint.red('✗')} ${cmd(c.command)} · ${code(c.exitCode)} ${ago(c.endedAt, b.now)}${c.actor !== 'user' ? ` (${e(c.actor)})` : ''}  → trail show ${c.id}`);
    why(c.excerpt);
  }
  for (const c of b.finished) {
    out.push(`${c.exitCode === 0 ? paint.green('✓') : paint.red('✗')} ${cmd(c.command)} · ${code(c.exitCode)} after ${duration(c.durationMs)}, finished while away  → trail show ${c.id}`);
    why(c.excerpt);
  }
  for (const r of b.running)
    out.push(`… still running in terminal ${r.terminal}: ${cmd(r.command)} for ${duration(b.now - r.startedAt)}${r.lastLine ? `: "${e(r.lastLine.slice(0, 80))}"` : ''}`);
  if (b.git) {
    const g = b.git;
    const parts: string[] = [];
    if (g.branchThen !== null && g.branchNow !== g.branchThen) parts.push(`branch ${e(g.branchThen)} → ${e(g.branchNow ?? '(detached)')}`);
    if (g.commits) parts.push(`${g.commits} commit${g.commits === 1 ? '' : 's'} since${g.subjects.length ? ` (${g.subjects.map((s) => `"${e(s)}"`).join(', ')})` : ''}`);
    if (g.changedCount) parts.push(`${g.changedCount} file${g.changedCount === 1 ? '' : 's'} changed since and not committed: ${g.changed.map(e).join(', ')}${g.changedCount > g.changed.length ? ' …' : ''}`);
    if (parts.length) out.push(`git: ${parts.join('; ')}`);
  }
  for (const o of b.others) {
    const did = [
      o.commands ? `ran ${o.commands} command${o.commands === 1 ? '' : 's'}${o.failed ? `, ${o.failed} failed` : ''}` : '',
      o.acted ? `sent keys or controlled services ${o.acted}×` : '',
      o.refused ? `was refused ${o.refused}× by your policy` : '',
      o.notes ? `left ${o.notes} note${o.notes === 1 ? '' : 's'}` : '',
      o.attached ? `attached ${o.attached}×` : '',
    ]
      .filter(Boolean)
      .join('; ');
    out.push(`${e(o.actor)} ${did}`);
  }
  for (const a of b.waiting) out.push(paint.yellow(`${e(a.actor)} waits for your approval to run ${cmd(a.command)}: trail approve ${a.id} · trail deny ${a.id}`));
  for (const w of b.where) {
    // Whose commands they were: yours, an agent's (in its terminal, or in yours), or several people's.
    const actors = new Set(w.last.map((c) => c.actor));
    const one = actors.size === 1 ? [...actors][0] : null;
    const last = w.last.map((c) => `${cmd(c.command, 30)}${c.exitCode !== 0 && c.exitCode !== null ? ` (${c.exitCode})` : ''}${one === null ? ` by ${c.actor === 'user' ? 'you' : e(c.actor)}` : ''}`).join(' · ');
    const who = one === null ? 'ran' : one === 'user' ? 'you ran' : `${e(one)} ran`;
    out.push(paint.dim(`terminal ${w.terminal}: ${w.cwd ? (w.cwd === b.dir ? path(w.cwd) : path(w.cwd, b.dir)) : '?'}${w.branch ? ` (${e(w.branch)})` : ''}${last ? ` · ${who}: ${last}` : ''}`));
  }
  for (const n of b.notes) out.push(`note ${noteLine(n, b.dir)}`);
  if (b.more && !opts.full) out.push(paint.dim(`${b.more} more: trail brief --full${b.since !== null ? ` --since ${new Date(b.since).toISOString()}` : ''}`));
  return out;
}
