// Queries for sessions, terminals and events. Plain data in, plain rows out.
import type { Db } from './db.js';
import { IMPORT_SOURCES } from '../common/history-formats.js';

export type SessionRow = {
  id: string;
  name: string;
  dir: string;
  created_at: number;
  last_active_at: number;
  killed_at: number | null;
};

export type TerminalRow = {
  id: string;
  session_id: string;
  idx: number;
  command: string;
  cwd: string;
  shell: string | null;
  created_at: number;
  exited_at: number | null;
  exit_code: number | null;
};

export class SessionStore {
  private stmts;
  constructor(private db: Db) {
    this.stmts = {
      insertSession: db.prepare(
        'INSERT INTO sessions (id, name, dir, created_at, last_active_at) VALUES (@id, @name, @dir, @created_at, @last_active_at)',
      ),
      liveSessions: db.prepare('SELECT * FROM sessions WHERE killed_at IS NULL ORDER BY created_at'),
      rename: db.prepare('UPDATE sessions SET name = ? WHERE id = ?'),
      kill: db.prepare('UPDATE sessions SET killed_at = ? WHERE id = ?'),
      touch: db.prepare('UPDATE sessions SET last_active_at = ? WHERE id = ?'),
      insertTerminal: db.prepare(
        'INSERT INTO terminals (id, session_id, idx, command, cwd, shell, created_at) VALUES (@id, @session_id, @idx, @command, @cwd, @shell, @created_at)',
      ),
      exitTerminal: db.prepare('UPDATE terminals SET exited_at = ?, exit_code = ? WHERE id = ?'),
      openTerminals: db.prepare('SELECT * FROM terminals WHERE exited_at IS NULL ORDER BY session_id, idx'),
      orphanTerminals: db.prepare('UPDATE terminals SET exited_at = ? WHERE exited_at IS NULL'),
      lastEvent: db.prepare('SELECT kind, at, data FROM events WHERE session_id = ? ORDER BY id DESC LIMIT 1'),
      lastEventOf: db.prepare('SELECT kind, at, data FROM events WHERE session_id = ? AND kind = ? ORDER BY id DESC LIMIT 1'),
      insertEvent: db.prepare(
        'INSERT INTO events (session_id, terminal_id, at, kind, actor, data) VALUES (?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  insertSession(row: Omit<SessionRow, 'killed_at'>): void {
    this.stmts.insertSession.run(row);
  }
  liveSessions(): SessionRow[] {
    return this.stmts.liveSessions.all() as SessionRow[];
  }
  rename(id: string, name: string): void {
    this.stmts.rename.run(name, id);
  }
  /** A killed session keeps its trail and name; the name is free for a new session. */
  kill(id: string, at: number): void {
    this.stmts.kill.run(at, id);
  }
  touch(id: string, at: number): void {
    this.stmts.touch.run(at, id);
  }
  insertTerminal(row: Omit<TerminalRow, 'exited_at' | 'exit_code'>): void {
    this.stmts.insertTerminal.run(row);
  }
  exitTerminal(id: string, at: number, code: number | null): void {
    this.stmts.exitTerminal.run(at, code, id);
  }
  /** Terminals left running by a daemon that stopped or died are marked ended at start; returns them. */
  closeOrphans(at: number): TerminalRow[] {
    const rows = this.stmts.openTerminals.all() as TerminalRow[];
    if (rows.length) this.stmts.orphanTerminals.run(at);
    return rows;
  }
  /** Events of the given kinds, oldest first, of some sessions (all when sessionIds is undefined). */
  events(kinds: string[], sessionIds?: string[], since?: number): { session_id: string; terminal_id: string | null; at: number; kind: string; actor: string | null; data: string | null }[] {
    const where = [`kind IN (${kinds.map(() => '?').join(',')})`];
    const params: unknown[] = [...kinds];
    if (since !== undefined) (where.push('at >= ?'), params.push(since));
    if (sessionIds) {
      where.push(`session_id IN (${sessionIds.map(() => '?').join(',') || 'NULL'})`);
      params.push(...sessionIds);
    }
    return this.db.prepare(`SELECT session_id, terminal_id, at, kind, actor, data FROM events WHERE ${where.join(' AND ')} ORDER BY id`).all(...params) as {
      session_id: string;
      terminal_id: string | null;
      at: number;
      kind: string;
      actor: string | null;
      data: string | null;
    }[];
  }

  /** The session's newest event, or its newest of one kind. */
  lastEvent(sessionId: string, kind?: string): { kind: string; at: number; data: string | null } | undefined {
    return (kind ? this.stmts.lastEventOf.get(sessionId, kind) : this.stmts.lastEvent.get(sessionId)) as
      | { kind: string; at: number; data: string | null }
      | undefined;
  }
  /** dataJson: the event's data as JSON text (already redacted by the caller). */
  event(sessionId: string, terminalId: string | null, at: number, kind: string, actor: string | null, dataJson: string | null): void {
    this.stmts.insertEvent.run(sessionId, terminalId, at, kind, actor, dataJson);
  }
}


/** Every session's id and name, killed ones too (their trail outlives them). */
export function sessionNames(db: Db): Map<string, string> {
  const rows = db.prepare('SELECT id, name, killed_at FROM sessions').all() as { id: string; name: string; killed_at: number | null }[];
  const names = new Map(rows.map((r) => [r.id, r.killed_at ? `${r.name} (killed)` : r.name]));
  // History brought in by trail import sits under pseudo-sessions import:SOURCE.
  for (const source of IMPORT_SOURCES) names.set(`import:${source}`, `imported from ${source}`);
  return names;
}

/** When recording was paused (trail off) and resumed, per terminal; to is null while still paused. */
export type RecordingPause = { sessionId: string; terminal: number; from: number; to: number | null };

export function recordingPauses(store: SessionStore, sessionIds?: string[]): RecordingPause[] {
  const open = new Map<string, RecordingPause>();
  const out: RecordingPause[] = [];
  for (const e of store.events(['recording.paused', 'recording.resumed'], sessionIds)) {
    const key = e.terminal_id ?? '';
    if (e.kind === 'recording.paused') {
      const terminal = (JSON.parse(e.data ?? '{}') as { terminal?: number }).terminal ?? -1;
      const p: RecordingPause = { sessionId: e.session_id, terminal, from: e.at, to: null };
      open.set(key, p);
      out.push(p);
    } else {
      const p = open.get(key);
      if (p) p.to = e.at;
      open.delete(key);
    }
  }
  return out;
}
