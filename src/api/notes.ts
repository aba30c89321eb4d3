// Notes people (and agents) leave in a session: on a command, a service or a
// file line. A note on a file line keeps the line's text; when the file says
// something else there now, the note is shown as may be stale, with what the
// line says now, so that an old clue does not mislead.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { bind } from './define.js';
import { TrailError } from '../common/errors.js';
import { redact } from '../common/redact.js';
import type { ApiContext } from './context.js';
import type { NoteRow } from '../store/notes.js';
import type { NoteView } from '../contract/ops.js';
import { allow } from './agents.js';

/** Files larger than this are not read to check a note's line (said as unknown: not stale). */
const MAX_FILE = 8 * 1024 * 1024;

function linesOf(file: string): string[] | null {
  try {
    if (statSync(file).size > MAX_FILE) return null;
    return readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  } catch {
    return null;
  }
}

function lineOf(file: string, line: number): string | null {
  const lines = linesOf(file);
  return lines && line <= lines.length ? lines[line - 1] : null;
}

/** Where the noted line is now: the same text at its line, or the nearest line with that text (lines added above move it). */
function follow(file: string, line: number, text: string, secrets: ApiContext['secrets']): { line: number; now: string | null } {
  const lines = linesOf(file);
  if (!lines) return { line, now: null };
  const same = (l: string | undefined) => l !== undefined && redact(l, secrets) === text;
  if (same(lines[line - 1])) return { line, now: lines[line - 1] };
  for (let d = 1; d < lines.length; d++) {
    if (same(lines[line - 1 - d])) return { line: line - d, now: lines[line - 1 - d] };
    if (same(lines[line - 1 + d])) return { line: line + d, now: lines[line - 1 + d] };
  }
  return { line, now: line <= lines.length ? lines[line - 1] : null };
}

export function noteView(ctx: ApiContext, n: NoteRow, names = ctx.sessionNames()): NoteView {
  let lineNow: string | null = null;
  let stale = false;
  let line = n.line;
  if (n.file !== null) {
    if (n.line !== null) {
      // A line that moved (lines added or removed above it) is followed, not called stale.
      const f = n.line_text !== null ? follow(n.file, n.line, n.line_text, ctx.secrets) : { line: n.line, now: lineOf(n.file, n.line) };
      line = f.line;
      lineNow = f.now;
      // Remembered where it went, so that a later change of the line is found at its new place.
      if (f.line !== n.line && lineNow !== null && redact(lineNow, ctx.secrets) === n.line_text) ctx.health.attempt('a note that moved', () => ctx.notes.moveLine(n.id, f.line));
      stale = lineNow === null ? true : n.line_text !== null && redact(lineNow, ctx.secrets) !== n.line_text;
      if (lineNow !== null) lineNow = redact(lineNow, ctx.secrets);
    } else stale = !existsSync(n.file);
  }
  return {
    id: n.id,
    session: names.get(n.session_id) ?? '?',
    text: n.text,
    actor: n.actor,
    createdAt: n.created_at,
    commandId: n.command_id,
    service: n.service,
    file: n.file,
    line,
    pinned: n.pinned === 1,
    doneAt: n.done_at,
    lineThen: n.line_text,
    lineNow,
    stale,
  };
}

function noteOrFail(ctx: ApiContext, id: number): NoteRow {
  const n = ctx.notes.get(id);
  if (!n) throw new TrailError('not_found', `no note ${id} (trail notes --all lists them)`);
  return n;
}

export const noteOps = [
  bind('note.add', (ctx, i) => {
    const s = ctx.manager.get(i.session);
    allow(ctx, s, i.actor, 'notes');
    if (i.commandId !== undefined) {
      const c = ctx.commands.get(i.commandId);
      if (!c || c.session_id !== s.id) throw new TrailError('not_found', `no command ${i.commandId} in ${s.name} (trail log lists them with their ids)`);
    }
    if (i.service !== undefined && !ctx.services.of(s).list(false).some((x) => x.name === i.service)) {
      // The file may not be loaded yet: read it before saying no.
      try {
        ctx.services.of(s).load();
      } catch {
        /* a broken file: its services cannot be named */
      }
      if (!ctx.services.of(s).list(false).some((x) => x.name === i.service)) throw new TrailError('not_found', `${s.name} has no service named ${i.service} (trail svc ls lists them)`);
    }
    let file: string | null = null;
    let lineText: string | null = null;
    if (i.file !== undefined) {
      file = isAbsolute(i.file) ? i.file : resolve(i.cwd ?? s.dir, i.file);
      if (!existsSync(file)) throw new TrailError('not_found', `no file ${file}`);
      if (i.line !== undefined) {
        lineText = lineOf(file, i.line);
        if (lineText === null) throw new TrailError('invalid', `${file} has no line ${i.line}`);
        lineText = redact(lineText, ctx.secrets);
      }
    } else if (i.line !== undefined) throw new TrailError('invalid', 'a line needs a file: --file PATH:LINE');
    const now = ctx.now();
    const id = ctx.notes.add({
      session_id: s.id,
      text: redact(i.text, ctx.secrets),
      actor: i.actor,
      created_at: now,
      command_id: i.commandId ?? null,
      service: i.service ?? null,
      file,
      line: i.line ?? null,
      line_text: lineText,
      pinned: i.pinned ? 1 : 0,
    });
    ctx.manager.events.emit({ kind: 'note.added', sessionId: s.id, terminalId: null, at: now, actor: i.actor, data: { id, text: i.text } });
    return noteView(ctx, noteOrFail(ctx, id));
  }),
  bind('note.list', (ctx, i) => {
    const ids = i.session === undefined ? undefined : [ctx.manager.get(i.session).id];
    const names = ctx.sessionNames();
    return ctx.notes
      .list(ids, { all: i.all, contains: i.text })
      .map((n) => noteView(ctx, n, names))
      .sort((a, b) => Number(b.pinned) - Number(a.pinned) || a.id - b.id);
  }),
  bind('note.done', (ctx, i) => {
    const n = noteOrFail(ctx, i.id);
    const s = ctx.manager.list().find((x) => x.id === n.session_id);
    if (s) allow(ctx, s, i.actor, 'notes');
    if (n.done_at !== null) throw new TrailError('invalid', `note ${i.id} is done already`);
    const now = ctx.now();
    ctx.notes.done(i.id, now);
    ctx.manager.events.emit({ kind: 'note.done', sessionId: n.session_id, terminalId: null, at: now, data: { id: n.id, text: n.text } });
    return noteView(ctx, noteOrFail(ctx, i.id));
  }),
  bind('note.rm', (ctx, i) => {
    const n = noteOrFail(ctx, i.id);
    ctx.notes.remove(i.id);
    ctx.manager.events.emit({ kind: 'note.removed', sessionId: n.session_id, terminalId: null, at: ctx.now(), data: { id: n.id } });
    return { removed: 1 };
  }),
];
