// The command trail: insert, list, read back and search.
import type { Db } from './db.js';

export type CommandRow = {
  id: number;
  session_id: string;
  terminal_id: string | null;
  command: string;
  cwd: string | null;
  started_at: number;
  ended_at: number | null;
  duration_ms: number | null;
  exit_code: number | null;
  git_root: string | null;
  branch: string | null;
  head: string | null;
  dirty: number | null;
  actor: string;
  output: string;
  output_bytes: number;
  output_truncated: number;
  raw: string | null;
  screen: number;
  seq: number | null;
  end_reason: string | null;
  command_bytes: number | null;
  host: string | null;
  import_key: string | null;
};

/** A command from another tool's history (trail import). */
export type ImportedCommand = {
  command: string;
  started_at: number;
  duration_ms: number | null;
  exit_code: number | null;
  cwd: string | null;
  host: string | null;
  import_key: string;
};

export type NewCommand = Omit<CommandRow, 'id' | 'seq' | 'end_reason' | 'command_bytes' | 'host' | 'import_key'> &
  Partial<Pick<CommandRow, 'seq' | 'end_reason' | 'command_bytes'>>;

/** What is known when a command ends. */
export type CommandEnd = Pick<
  CommandRow,
  'ended_at' | 'duration_ms' | 'exit_code' | 'end_reason' | 'output' | 'output_bytes' | 'output_truncated' | 'raw' | 'screen'
>;

export type GitFacts = Pick<CommandRow, 'git_root' | 'branch' | 'head' | 'dirty'>;

export type SearchField = 'all' | 'command' | 'output';

export type CommandFilter = {
  sessionIds?: string[];
  dirPrefix?: string;
  failed?: boolean;
  since?: number;
  until?: number;
  branch?: string;
};

const LIST_COLUMNS =
  'c.id, c.session_id, c.terminal_id, c.command, c.cwd, c.started_at, c.ended_at, c.duration_ms, c.exit_code, c.git_root, c.branch, c.head, c.dirty, c.actor, c.output_bytes, c.output_truncated, c.screen, c.seq, c.end_reason, c.command_bytes, c.host';

export class CommandStore {
  private insertStmt;
  private endStmt;
  private outputStmt;
  private gitStmt;
  constructor(private db: Db) {
    this.insertStmt = db.prepare(`INSERT INTO commands (session_id, terminal_id, command, cwd, started_at, ended_at, duration_ms, exit_code,
      git_root, branch, head, dirty, actor, output, output_bytes, output_truncated, raw, screen, seq, end_reason, command_bytes)
      VALUES (@session_id, @terminal_id, @command, @cwd, @started_at, @ended_at, @duration_ms, @exit_code,
      @git_root, @branch, @head, @dirty, @actor, @output, @output_bytes, @output_truncated, @raw, @screen, @seq, @end_reason, @command_bytes)`);
    this.endStmt = db.prepare(`UPDATE commands SET ended_at = @ended_at, duration_ms = @duration_ms, exit_code = @exit_code,
      end_reason = @end_reason, output = @output, output_bytes = @output_bytes, output_truncated = @output_truncated,
      raw = @raw, screen = @screen WHERE id = @id`);
    this.outputStmt = db.prepare('UPDATE commands SET output = @output, raw = @raw, screen = @screen WHERE id = @id');
    this.gitStmt = db.prepare('UPDATE commands SET git_root = @git_root, branch = @branch, head = @head, dirty = @dirty WHERE id = @id');
  }

  insert(c: NewCommand): number {
    return Number(this.insertStmt.run({ seq: null, end_reason: null, command_bytes: null, ...c }).lastInsertRowid);
  }

  /** A command that was written when it started has ended; false if its row is not there. */
  end(id: number, e: CommandEnd): boolean {
    return this.endStmt.run({ ...e, id }).changes === 1;
  }

  /** Opens a transaction for the writes that follow, unless one is open; true if it opened one. */
  begin(): boolean {
    if (this.db.inTransaction) return false;
    this.db.exec('BEGIN');
    return true;
  }

  /** Commits what begin() opened; if the commit fails, it is rolled back and the error thrown. */
  commit(): void {
    if (!this.db.inTransaction) return;
    try {
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /** The output of an ended command, completed (a full-screen program's last screen comes later). */
  setOutput(id: number, o: Pick<CommandRow, 'output' | 'raw' | 'screen'>): void {
    this.outputStmt.run({ ...o, id });
  }

  setGit(id: number, g: GitFacts): void {
    this.gitStmt.run({ ...g, id });
  }

  /** When the session's trail last changed: its newest command's end or start. */
  lastTime(sessionId: string): number | null {
    const r = this.db.prepare('SELECT max(coalesce(ended_at, started_at)) t FROM commands WHERE session_id = ?').get(sessionId) as { t: number | null };
    return r.t;
  }

  /**
   * Commands an earlier daemon left open: it stopped or died before their end
   * mark. They keep what was written when they started, and say why they have
   * no end. Returns them, for the notice of what was lost.
   */
  closeOpen(reason: string): CommandRow[] {
    const open = 'ended_at IS NULL AND end_reason IS NULL';
    const rows = this.db.prepare(`SELECT * FROM commands WHERE ${open} ORDER BY id`).all() as CommandRow[];
    if (rows.length) this.db.prepare(`UPDATE commands SET end_reason = ? WHERE ${open}`).run(reason);
    return rows;
  }

  insertMany(rows: NewCommand[]): void {
    this.db.transaction((rs: NewCommand[]) => {
      for (const r of rs) this.insertStmt.run({ seq: null, end_reason: null, command_bytes: null, ...r });
    })(rows);
  }

  /**
   * Adds imported history under the pseudo-session `import:SOURCE`, actor
   * `import:SOURCE`; an entry whose key is already there is skipped.
   * Returns how many were added.
   */
  importMany(source: string, rows: ImportedCommand[]): number {
    const stmt = this.db.prepare(`INSERT OR IGNORE INTO commands (session_id, command, cwd, started_at, ended_at, duration_ms, exit_code,
      actor, host, import_key) VALUES (@session_id, @command, @cwd, @started_at, @ended_at, @duration_ms, @exit_code, @actor, @host, @import_key)`);
    let added = 0;
    this.db.transaction(() => {
      for (const r of rows)
        added += stmt.run({
          ...r,
          session_id: `import:${source}`,
          actor: `import:${source}`,
          ended_at: r.duration_ms === null ? r.started_at : r.started_at + r.duration_ms,
        }).changes;
    })();
    return added;
  }

  get(id: number): CommandRow | undefined {
    return this.db.prepare('SELECT * FROM commands WHERE id = ?').get(id) as CommandRow | undefined;
  }

  /** How many commands match the filter. */
  count(f: CommandFilter): number {
    const { where, params } = whereClause(f);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM commands c ${where ? 'WHERE ' + where : ''}`).get(...params) as { n: number }).n;
  }

  /** The newest `limit` commands matching the filter, returned oldest first. */
  list(f: CommandFilter, limit: number): CommandRow[] {
    const { where, params } = whereClause(f);
    const rows = this.db
      .prepare(`SELECT ${LIST_COLUMNS} FROM commands c ${where ? 'WHERE ' + where : ''} ORDER BY c.started_at DESC, c.id DESC LIMIT ?`)
      .all(...params, limit) as CommandRow[];
    return rows.reverse();
  }

  last(f: CommandFilter): CommandRow | undefined {
    const { where, params } = whereClause(f);
    return this.db
      .prepare(`SELECT * FROM commands c ${where ? 'WHERE ' + where : ''} ORDER BY c.started_at DESC, c.id DESC LIMIT 1`)
      .get(...params) as CommandRow | undefined;
  }

  /**
   * For a briefing: the session's commands that ended since a time (those
   * running then included), oldest end first, at most `limit`; output is
   * read only for failures (for the line that says why).
   */
  endedSince(sessionId: string, since: number, limit: number): CommandRow[] {
    return this.db
      .prepare(
        `SELECT ${LIST_COLUMNS}, CASE WHEN c.exit_code IS NOT NULL AND c.exit_code <> 0 THEN substr(c.output, 1, 65536) ELSE '' END AS output
         FROM commands c WHERE c.session_id = ? AND c.ended_at >= ? ORDER BY c.ended_at, c.id LIMIT ?`,
      )
      .all(sessionId, since, limit) as CommandRow[];
  }

  /** The session's commands not ended (running, or cut off and not yet closed). */
  openIn(sessionId: string): CommandRow[] {
    return this.db.prepare(`SELECT ${LIST_COLUMNS} FROM commands c WHERE c.ended_at IS NULL AND c.session_id = ? ORDER BY c.id`).all(sessionId) as CommandRow[];
  }

  /** The last `n` commands of a terminal that started before a time, oldest first. */
  lastBefore(terminalId: string, before: number, n: number): CommandRow[] {
    return (
      this.db
        .prepare(`SELECT ${LIST_COLUMNS} FROM commands c WHERE c.terminal_id = ? AND c.started_at < ? ORDER BY c.started_at DESC, c.id DESC LIMIT ?`)
        .all(terminalId, before, n) as CommandRow[]
    ).reverse();
  }

  /** The session's last command that started before a time (for the branch it ran on). */
  lastOfSessionBefore(sessionId: string, before: number): CommandRow | undefined {
    return this.db
      .prepare(`SELECT ${LIST_COLUMNS} FROM commands c WHERE c.session_id = ? AND c.started_at < ? ORDER BY c.started_at DESC, c.id DESC LIMIT 1`)
      .get(sessionId, before) as CommandRow | undefined;
  }

  /** The session's newest commands that started since a time, newest first, with (the start of) their output. */
  recentWithOutput(sessionId: string, from: number, limit: number): CommandRow[] {
    return this.db
      .prepare(`SELECT ${LIST_COLUMNS}, substr(c.output, 1, 65536) AS output FROM commands c WHERE c.session_id = ? AND c.started_at >= ? ORDER BY c.started_at DESC, c.id DESC LIMIT ?`)
      .all(sessionId, from, limit) as CommandRow[];
  }

  /** searchCommands on this connection (the daemon runs it on the search thread instead). */
  search(text: string, f: CommandFilter, limit: number, field: SearchField = 'all'): CommandRow[] {
    return searchCommands(this.db, text, f, limit, field);
  }


}

/**
 * Substring search over command lines and/or output, newest first (by id,
 * which is the order commands ended in). The trigram index finds candidate
 * rows for a LIKE pattern and walks them newest first, so a common word stops
 * at `limit` instead of collecting every match; instr() then checks the exact
 * text. LIKE's own wildcards cannot be escaped without losing the index, so
 * they split the pattern and instr() does the exact check. A plain function
 * of a connection, so that the search thread runs it on a read-only one.
 */
export function searchCommands(db: Db, text: string, f: CommandFilter, limit: number, field: SearchField = 'all'): CommandRow[] {
    const { where, params } = whereClause(f);
    const extra = where ? ` AND ${where}` : '';
    const like = '%' + text.split(/[%_]/).filter(Boolean).join('%') + '%';
    const columns = field === 'all' ? (['command', 'output'] as const) : ([field] as const);
    const byId = new Map<number, CommandRow>();
    for (const col of columns) {
      const rows = db
        .prepare(
          `SELECT c.* FROM ${col === 'command' ? 'commands_cmd_fts' : 'commands_out_fts'} f JOIN commands c ON c.id = f.rowid
           WHERE f.${col} LIKE ? AND instr(lower(c.${col}), lower(?)) > 0${extra}
           ORDER BY f.rowid DESC LIMIT ?`,
        )
        .all(like, text, ...params, limit) as CommandRow[];
      for (const r of rows) byId.set(r.id, r);
    }
    return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, limit);
  }

function whereClause(f: CommandFilter): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.sessionIds) {
    parts.push(`c.session_id IN (${f.sessionIds.map(() => '?').join(',') || 'NULL'})`);
    params.push(...f.sessionIds);
  }
  if (f.dirPrefix) {
    const p = f.dirPrefix.replace(/\/+$/, '') || '/';
    parts.push(`(c.cwd = ? OR substr(c.cwd, 1, ?) = ?)`);
    const withSlash = p === '/' ? '/' : p + '/';
    params.push(p, withSlash.length, withSlash);
  }
  if (f.failed) parts.push('c.exit_code IS NOT NULL AND c.exit_code <> 0');
  if (f.since !== undefined) {
    parts.push('c.started_at >= ?');
    params.push(f.since);
  }
  if (f.until !== undefined) {
    parts.push('c.started_at <= ?');
    params.push(f.until);
  }
  if (f.branch) {
    parts.push('c.branch = ?');
    params.push(f.branch);
  }
  return { where: parts.join(' AND '), params };
}
