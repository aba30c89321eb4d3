// Notes and visit cursors (issue 11). Plain data in, plain rows out.
import type { Db } from './db.js';

export type NoteRow = {
  id: number;
  session_id: string;
  text: string;
  actor: string;
  created_at: number;
  command_id: number | null;
  service: string | null;
  file: string | null;
  line: number | null;
  line_text: string | null;
  pinned: number;
  done_at: number | null;
};
export type NewNote = Omit<NoteRow, 'id' | 'done_at'>;

export class NoteStore {
  constructor(private db: Db) {}

  add(n: NewNote): number {
    return Number(
      this.db
        .prepare(
          'INSERT INTO notes (session_id, text, actor, created_at, command_id, service, file, line, line_text, pinned) VALUES (@session_id, @text, @actor, @created_at, @command_id, @service, @file, @line, @line_text, @pinned)',
        )
        .run(n).lastInsertRowid,
    );
  }

  get(id: number): NoteRow | undefined {
    return this.db.prepare('SELECT * FROM notes WHERE id = ?').get(id) as NoteRow | undefined;
  }

  /** Open notes (all with `all`) of these sessions, oldest first; `contains`: a text in them (any case). */
  list(sessionIds: string[] | undefined, opts: { all?: boolean; contains?: string; since?: number } = {}): NoteRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (sessionIds) (where.push(`session_id IN (${sessionIds.map(() => '?').join(',') || 'NULL'})`), params.push(...sessionIds));
    if (!opts.all) where.push('done_at IS NULL');
    if (opts.contains) (where.push('instr(lower(text), lower(?)) > 0'), params.push(opts.contains));
    if (opts.since !== undefined) (where.push('created_at >= ?'), params.push(opts.since));
    return this.db.prepare(`SELECT * FROM notes ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id`).all(...params) as NoteRow[];
  }

  /** The noted line moved (lines added or removed above it): where it is now. */
  moveLine(id: number, line: number): void {
    this.db.prepare('UPDATE notes SET line = ? WHERE id = ?').run(line, id);
  }

  done(id: number, at: number): boolean {
    return this.db.prepare('UPDATE notes SET done_at = ? WHERE id = ? AND done_at IS NULL').run(at, id).changes > 0;
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM notes WHERE id = ?').run(id).changes > 0;
  }

  /** When this identity's last visit to the session ended (null: never). */
  visit(sessionId: string, identity: string): number | null {
    const r = this.db.prepare('SELECT ended_at FROM visits WHERE session_id = ? AND identity = ?').get(sessionId, identity) as { ended_at: number } | undefined;
    return r?.ended_at ?? null;
  }

  endVisit(sessionId: string, identity: string, at: number): void {
    this.db
      .prepare('INSERT INTO visits (session_id, identity, ended_at) VALUES (?, ?, ?) ON CONFLICT (session_id, identity) DO UPDATE SET ended_at = max(ended_at, excluded.ended_at)')
      .run(sessionId, identity, at);
  }

  /** What agents may do in a session: read (the default), notes, run. */
  policy(sessionId: string): 'read' | 'notes' | 'run' {
    const r = this.db.prepare('SELECT level FROM session_policy WHERE session_id = ?').get(sessionId) as { level: 'read' | 'notes' | 'run' } | undefined;
    return r?.level ?? 'read';
  }

  setPolicy(sessionId: string, level: 'read' | 'notes' | 'run'): void {
    this.db.prepare('INSERT INTO session_policy (session_id, level) VALUES (?, ?) ON CONFLICT (session_id) DO UPDATE SET level = excluded.level').run(sessionId, level);
  }
}
