// One daemon per state dir. The lock is a POSIX record lock that SQLite takes
// on a file of its own (an exclusive transaction never committed): the kernel
// gives it up when the process ends, however it ends, so there is no stale
// lock to judge and no window in which two starting daemons both win (a pid
// file written after an exclusive create has one: a reader can find it empty).
// The pid file beside it only says which daemon holds the lock.
import Database from 'better-sqlite3';
import { readPid } from '../platform/pid-file.js';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

export type LockResult = { ok: true } | { ok: false; pid: number };

let held: Database.Database | null = null;

export function takeLock(pidFile: string): LockResult {
  const lockFile = pidFile + '.db';
  for (let attempt = 0; ; attempt++) {
    let db: Database.Database | null = null;
    try {
      db = new Database(lockFile, { timeout: 0 });
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (e) {
      db?.close();
      const code = (e as { code?: string }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return { ok: false, pid: readPid(pidFile) ?? -1 };
      // not an SQLite file: no daemon can hold it; take its place once
      if (code === 'SQLITE_NOTADB' && attempt === 0) {
        unlinkSync(lockFile);
        continue;
      }
      throw e;
    }
    held = db;
    writeFileSync(pidFile, String(process.pid), { mode: 0o600 });
    return { ok: true };
  }
}

export function releaseLock(pidFile: string): void {
  try {
    if (readFileSync(pidFile, 'utf8') === String(process.pid)) unlinkSync(pidFile);
  } catch {
    /* gone */
  }
  // The lock file stays: removing it while another daemon opens it would give two locks.
  held?.close();
  held = null;
}
