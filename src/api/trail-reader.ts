// The store read directly, read-only, by a client process: what needs no
// daemon (the sessions it will bring back) and what must be fast at a million
// commands without a round trip per keystroke (the search picker's rows).
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { SessionView } from './views.js';

/** One row of the picker: a command line and where and how it last ran. */
export type PickRow = {
  id: number;
  command: string;
  cwd: string | null;
  startedAt: number;
  exitCode: number | null;
  sessionId: string;
  terminalId: string | null;
};

export class TrailReader {
  private constructor(private db: Database.Database) {}

  /** Null when there is no store yet. */
  static async open(dbFile: string): Promise<TrailReader | null> {
    const db = await openStoreReadOnly(dbFile);
    return db && new TrailReader(db);
  }

  /** The live sessions the store keeps (a daemon brings them back, with a fresh shell on attach). */
  sessions(): SessionView[] {
    type Row = { name: string; dir: string; created_at: number; last_active_at: number };
    const rows = this.db.prepare('SELECT name, dir, created_at, last_active_at FROM sessions WHERE killed_at IS NULL ORDER BY created_at').all() as Row[];
    return rows.map((r) => ({ name: r.name, dir: r.dir, terminals: 0, clients: 0, createdAt: r.created_at, lastActiveAt: r.last_active_at }));
  }

  sessionId(name: string): string | null {
    const r = this.db.prepare('SELECT id FROM sessions WHERE name = ? AND killed_at IS NULL').get(name) as { id: string } | undefined;
    return r?.id ?? null;
  }

  /** Commands newest first, `limit` of them with ids below `beforeId` (rowid order: no sort, no index needed). */
  page(beforeId: number, limit: number): PickRow[] {
    return this.db
      .prepare(
        `SELECT id, command, cwd, started_at AS startedAt, exit_code AS exitCode, session_id AS sessionId, terminal_id AS terminalId
         FROM commands WHERE id < ? ORDER BY id DESC LIMIT ?`,
      )
      .all(beforeId, limit) as PickRow[];
  }

  /** The kept output of one command (for the preview), cut to `max` characters. */
  output(id: number, max: number): string {
    const r = this.db.prepare('SELECT substr(output, 1, ?) AS o FROM commands WHERE id = ?').get(max, id) as { o: string } | undefined;
    return r?.o ?? '';
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The store, read-only, from a client process (null when there is none yet).
 * better-sqlite3 is loaded here only: the CLI's start-up does not pay for it.
 */
export async function openStoreReadOnly(dbFile: string): Promise<Database.Database | null> {
  if (!existsSync(dbFile)) return null;
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(dbFile, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 2000');
  return db;
}

/** The live sessions in the store at `dbFile` (none when there is no store yet). */
export async function rememberedSessions(dbFile: string): Promise<SessionView[]> {
  const r = await TrailReader.open(dbFile);
  if (!r) return [];
  try {
    return r.sessions();
  } finally {
    r.close();
  }
}
