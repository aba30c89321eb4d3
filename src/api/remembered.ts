// Sessions as the store remembers them, read without a daemon: a daemon that
// starts brings each back (with a fresh shell on attach), so listing them
// needs no daemon and starts none.
import { existsSync } from 'node:fs';
import type { SessionView } from './views.js';

type Row = { name: string; dir: string; created_at: number; last_active_at: number };

/** The live sessions in the store at `dbFile` (none when there is no store yet). */
export async function rememberedSessions(dbFile: string): Promise<SessionView[]> {
  if (!existsSync(dbFile)) return [];
  // Loaded here only: the CLI's start-up does not pay for the native module.
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    const rows = db.prepare('SELECT name, dir, created_at, last_active_at FROM sessions WHERE killed_at IS NULL ORDER BY created_at').all() as Row[];
    return rows.map((r) => ({ name: r.name, dir: r.dir, terminals: 0, clients: 0, createdAt: r.created_at, lastActiveAt: r.last_active_at }));
  } finally {
    db.close();
  }
}
