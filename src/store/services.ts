// Services' output and runs. Plain data in, plain rows out.
import type { Db } from './db.js';

/** line: what a person saw (no escape sequences); raw: as written, when it had colours. */
export type LogLine = { session_id: string; service: string; at: number; stream: 'out' | 'err'; line: string; raw: string | null };
export type LogRow = LogLine & { id: number };
export type RunRow = { id: number; session_id: string; service: string; pid: number; proc_start: string | null; started_at: number; ended_at: number | null; exit_code: number | null };

export class ServiceStore {
  private insertLog;
  constructor(private db: Db) {
    this.insertLog = db.prepare('INSERT INTO service_logs (session_id, service, at, stream, line, raw) VALUES (@session_id, @service, @at, @stream, @line, @raw)');
  }

  addLines(lines: LogLine[]): void {
    this.db.transaction((ls: LogLine[]) => {
      for (const l of ls) this.insertLog.run(l);
    })(lines);
  }

  /** The last `limit` lines of a service (oldest first), after `afterId`, optionally since a time and matching a substring. */
  lines(sessionId: string, service: string, opts: { limit: number; afterId?: number; since?: number; contains?: string; stream?: 'out' | 'err' }): LogRow[] {
    const where = ['session_id = ?', 'service = ?'];
    const params: unknown[] = [sessionId, service];
    if (opts.afterId !== undefined) (where.push('id > ?'), params.push(opts.afterId));
    if (opts.since !== undefined) (where.push('at >= ?'), params.push(opts.since));
    if (opts.stream) (where.push('stream = ?'), params.push(opts.stream));
    if (opts.contains) (where.push("instr(lower(line), lower(?)) > 0"), params.push(opts.contains));
    const rows = this.db.prepare(`SELECT * FROM service_logs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`).all(...params, opts.limit) as LogRow[];
    return rows.reverse();
  }

  /**
   * Lines containing `text` (any case), newest first, across services. As for
   * commands (searchCommands): the trigram index walks candidate rows newest
   * first and instr() checks the exact text; a text under three characters
   * (or all LIKE wildcards) has no trigram and scans instead.
   */
  search(text: string, opts: { sessionIds?: string[]; service?: string; since?: number; limit: number }): LogRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.sessionIds) (where.push(`l.session_id IN (${opts.sessionIds.map(() => '?').join(',') || 'NULL'})`), params.push(...opts.sessionIds));
    if (opts.service) (where.push('l.service = ?'), params.push(opts.service));
    if (opts.since !== undefined) (where.push('l.at >= ?'), params.push(opts.since));
    const extra = where.map((w) => ' AND ' + w).join('');
    const pieces = text.split(/[%_]/).filter(Boolean);
    if (pieces.some((p) => p.length >= 3)) {
      const like = '%' + pieces.join('%') + '%';
      return this.db
        .prepare(
          `SELECT l.* FROM service_logs_fts f JOIN service_logs l ON l.id = f.rowid
           WHERE f.line LIKE ? AND instr(lower(l.line), lower(?)) > 0${extra} ORDER BY f.rowid DESC LIMIT ?`,
        )
        .all(like, text, ...params, opts.limit) as LogRow[];
    }
    return this.db
      .prepare(`SELECT l.* FROM service_logs l WHERE instr(lower(l.line), lower(?)) > 0${extra} ORDER BY l.id DESC LIMIT ?`)
      .all(text, ...params, opts.limit) as LogRow[];
  }

  /** Keeps a service's newest `keep` lines and none older than `before`; returns how many went. */
  trim(sessionId: string, service: string, keep: number, before: number): number {
    const cut = this.db
      .prepare('SELECT id FROM service_logs WHERE session_id = ? AND service = ? ORDER BY id DESC LIMIT 1 OFFSET ?')
      .get(sessionId, service, keep) as { id: number } | undefined;
    let gone = 0;
    if (cut) gone += this.db.prepare('DELETE FROM service_logs WHERE session_id = ? AND service = ? AND id <= ?').run(sessionId, service, cut.id).changes;
    gone += this.db.prepare('DELETE FROM service_logs WHERE session_id = ? AND service = ? AND at < ?').run(sessionId, service, before).changes;
    return gone;
  }

  runStarted(r: Omit<RunRow, 'id' | 'ended_at' | 'exit_code'>): number {
    return Number(this.db.prepare('INSERT INTO service_runs (session_id, service, pid, proc_start, started_at) VALUES (@session_id, @service, @pid, @proc_start, @started_at)').run(r).lastInsertRowid);
  }

  runEnded(id: number, at: number, code: number | null): void {
    this.db.prepare('UPDATE service_runs SET ended_at = ?, exit_code = ? WHERE id = ?').run(at, code, id);
  }

  /** Runs the store thinks are still going (after a daemon that was killed, some may be). */
  openRuns(): RunRow[] {
    return this.db.prepare('SELECT * FROM service_runs WHERE ended_at IS NULL ORDER BY id').all() as RunRow[];
  }
}
