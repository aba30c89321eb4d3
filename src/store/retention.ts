// What the store holds, by kind (from SQLite's own page accounting), and the
// retention of commands' output by age: the command lines stay in the trail,
// their output goes once older than the limit.
import { existsSync, statSync } from 'node:fs';
import type { Db } from './db.js';

/** file: the pages of both files, by kind below; wal: their write-ahead logs, not yet copied in (a flood's can be ~100 MB). */
export type StoreSizes = { file: number; commands: number; index: number; serviceOutput: number; events: number; notes: number; other: number; wal: number };

/** Bytes of the database file used by each kind, by table and index (dbstat). */
export function storeSizes(db: Db): StoreSizes {
  // Both files: the store's, and the one of services' output (attached as logs).
  const files = (db.prepare('PRAGMA database_list').all() as { name: string; file: string }[]).filter((d) => d.name !== 'temp');
  const schemas = files.map((d) => d.name);
  // Pages counted and sized here: dbstat's pgsize is the main file's page size for every schema (the logs file's are 64 KiB).
  const rows = schemas.flatMap((s) => {
    const size = db.pragma(`${s}.page_size`, { simple: true }) as number;
    return (db.prepare('SELECT name, count(*) AS pages FROM dbstat WHERE schema = ? GROUP BY name').all(s) as { name: string; pages: number }[]).map((r) => ({ name: r.name, bytes: r.pages * size }));
  });
  const out: StoreSizes = { file: 0, commands: 0, index: 0, serviceOutput: 0, events: 0, notes: 0, other: 0, wal: 0 };
  for (const d of files) if (d.file && existsSync(d.file + '-wal')) out.wal += statSync(d.file + '-wal').size;
  for (const r of rows) {
    out.file += r.bytes;
    const n = r.name;
    if (n.includes('_fts') || n === 'service_grams') out.index += r.bytes;
    else if (n.startsWith('commands')) out.commands += r.bytes;
    else if (n.startsWith('service_chunks')) out.serviceOutput += r.bytes;
    else if (n.startsWith('events')) out.events += r.bytes;
    else if (n.startsWith('notes')) out.notes += r.bytes;
    else out.other += r.bytes;
  }
  return out;
}

/**
 * Empties the output of commands that ended before `before`, at most `limit`
 * at a time (so a pass never holds the store for long); returns how many.
 */
export function trimOutput(db: Db, before: number, limit: number): number {
  return db
    .prepare(`UPDATE commands SET output = '', raw = NULL WHERE id IN (SELECT id FROM commands WHERE started_at < ? AND (output <> '' OR raw IS NOT NULL) LIMIT ?)`)
    .run(before, limit).changes;
}

/**
 * The newest command whose output, added to all newer output, goes past
 * `maxBytes`: it and everything older is over the size limit (null: all fits).
 * It reads every output's length: the search process runs it, never the daemon's loop.
 */
export function outputCutoff(db: Db, maxBytes: number): number | null {
  const r = db
    .prepare(
      `SELECT id FROM (SELECT id, sum(length(CAST(output AS BLOB)) + coalesce(length(CAST(raw AS BLOB)), 0)) OVER (ORDER BY id DESC) AS total
         FROM commands WHERE output <> '' OR raw IS NOT NULL) WHERE total > ? ORDER BY id DESC LIMIT 1`,
    )
    .get(maxBytes) as { id: number } | undefined;
  return r?.id ?? null;
}

/** Empties the output of commands up to this id, at most `limit` at a time; returns how many. */
export function trimOutputUpTo(db: Db, id: number, limit: number): number {
  return db
    .prepare(`UPDATE commands SET output = '', raw = NULL WHERE id IN (SELECT id FROM commands WHERE id <= ? AND (output <> '' OR raw IS NOT NULL) LIMIT ?)`)
    .run(id, limit).changes;
}

/** Service output older than `before`, whatever the service (one that stopped long ago too), at most `limit` chunks at a time. */
export function trimOldLogs(db: Db, before: number, limit: number): number {
  return db.prepare('DELETE FROM service_chunks WHERE id IN (SELECT id FROM service_chunks WHERE end_at < ? LIMIT ?)').run(before, limit).changes;
}
