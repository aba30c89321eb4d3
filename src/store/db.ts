// Opens the SQLite store and brings its schema up to date. Migrations are
// numbered in code and applied in one transaction each; user_version records
// how far a file has come, so an old file upgrades and a newer one is refused.
import Database from 'better-sqlite3';
import { migrations } from './migrations.js';

export type Db = Database.Database;

/** The file beside the store that holds services' output: trail.db → trail.logs.db. */
export function logsFileOf(file: string): string {
  return file.replace(/\.db$/, '') + '.logs.db';
}

export function openDb(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // A checkpoint (copying the WAL into the file, and its fsyncs) every 40 MB
  // of writes, not every 4: storing a flooding service's output took a third
  // less time (4.7 against 3.0 ns a byte, 256 KiB chunks).
  db.pragma('wal_autocheckpoint = 10000');
  // What a delete frees is zeroed: a forgotten command leaves no copy in free pages (trail forget).
  db.pragma('secure_delete = ON');
  attachLogs(db, logsFileOf(file));
  migrate(db);
  return db;
}

/**
 * Services' output lives in a file of its own (migration 12), attached as
 * `logs`: its writer is a thread of its own (daemon/log-writer.ts), and
 * SQLite's one write lock a file would otherwise make the terminals'
 * recording wait on a flooding service. Its pages are 64 KiB, not 4: a
 * chunk of output is 256 KiB, and storing it took 2.7 ns a byte against
 * 4.0 (WAL, checkpoints included). Every query of the connection sees its
 * tables by their names, as before.
 */
export function attachLogs(db: Db, file: string): void {
  db.prepare('ATTACH DATABASE ? AS logs').run(file);
  if (db.readonly) return;
  // The page size holds from a file's first table on: set while it has none.
  if ((db.prepare('SELECT count(*) AS n FROM logs.sqlite_schema').get() as { n: number }).n === 0) db.pragma('logs.page_size = 65536');
  logsPragmas(db, 'logs.');
}

/** What the logs file is opened with, by the daemon's connection and by the log writer's. */
export function logsPragmas(db: Db, schema = ''): void {
  db.pragma(`${schema}journal_mode = WAL`);
  db.pragma(`${schema}synchronous = NORMAL`);
  db.pragma(`${schema}secure_delete = ON`);
  // A flood's WAL grows to ~100 MB between checkpoints; once one has started it over, it is cut back to this.
  db.pragma(`${schema}journal_size_limit = ${64 * 1024 * 1024}`);
}

/**
 * The log writer's connection, once retention runs (a service's newest
 * 100,000 lines by default): what a flood writes, retention frees.
 * - It deletes without zeroing what it frees: zeroing wrote every byte
 *   twice more (WAL and checkpoint). The free pages keep old output until
 *   the next chunks reuse them; forget zeroes them (zeroFreePages in
 *   forget.ts), so a forgotten text still leaves no copy.
 * - Its statement journals are kept in memory: a chunk stored in pages
 *   retention freed has their old content journalled first (for a
 *   statement's rollback), and that went to a temporary file, a third write
 *   of every byte.
 * Bytes written by the daemon a byte a `seq` flood printed: 4.8 with both,
 * 2.7 after the first, 1.65 after the second (/proc/PID/io wchar).
 */
export function logWriterPragmas(db: Db): void {
  logsPragmas(db);
  db.pragma('secure_delete = FAST');
  db.pragma('temp_store = MEMORY');
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `the store ${db.name} has schema version ${current}, newer than this trail (${migrations.length}); upgrade trail`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
