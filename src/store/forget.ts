// Forgetting: commands, their output, service output and notes removed from
// the tables, from the search indexes, and from the database file itself.
// secure_delete (set on every connection, db.ts) zeroes what a delete frees,
// but for the log writer's retention, whose free pages are zeroed here;
// the indexes are rebuilt into fresh segments (the old ones, freed, are
// zeroed too); a TRUNCATE checkpoint leaves no old frame in the WAL.
import type { Db } from './db.js';
import { gramsOf } from './grams.js';
import { FORGOTTEN, rawLines, setGrams } from './services.js';

export type ForgetWhat = { ids?: number[]; sessionIds?: string[]; since?: number; until?: number; match?: string };
export type Forgotten = { commands: number; notes: number; lines: number; events: number; walCleared: boolean };

export function forget(db: Db, w: ForgetWhat): Forgotten {
  const sessions = w.sessionIds ? ` AND session_id IN (${w.sessionIds.map(() => '?').join(',') || 'NULL'})` : '';
  const sp = w.sessionIds ?? [];
  const needle = w.match?.toLowerCase();
  const result = db.transaction((): Omit<Forgotten, 'walCleared'> => {
    // Commands.
    let ids: number[] = [];
    if (w.ids?.length) ids = (db.prepare(`SELECT id FROM commands WHERE id IN (${w.ids.map(() => '?').join(',')})${sessions}`).all(...w.ids, ...sp) as { id: number }[]).map((r) => r.id);
    else if (needle !== undefined) {
      const like = '%' + needle.split(/[%_]/).filter(Boolean).join('%') + '%';
      const viaIndex = needle.replace(/[%_]/g, '').length >= 3;
      const rows = viaIndex
        ? db
            .prepare(
              `SELECT id FROM commands WHERE id IN (SELECT rowid FROM commands_cmd_fts WHERE command LIKE ? UNION SELECT rowid FROM commands_out_fts WHERE output LIKE ?)
               AND (instr(lower(command), ?) > 0 OR instr(lower(output), ?) > 0 OR instr(lower(coalesce(raw, '')), ?) > 0)${sessions}`,
            )
            .all(like, like, needle, needle, needle, ...sp)
        : db.prepare(`SELECT id FROM commands WHERE (instr(lower(command), ?) > 0 OR instr(lower(output), ?) > 0)${sessions}`).all(needle, needle, ...sp);
      ids = (rows as { id: number }[]).map((r) => r.id);
    } else if (w.since !== undefined || w.until !== undefined)
      ids = (db.prepare(`SELECT id FROM commands WHERE started_at >= ? AND started_at <= ?${sessions}`).all(w.since ?? 0, w.until ?? Number.MAX_SAFE_INTEGER, ...sp) as { id: number }[]).map((r) => r.id);
    const del = db.prepare('DELETE FROM commands WHERE id = ?');
    for (const id of ids) del.run(id);

    // Service output: by time, whole chunks; by text, the lines that hold it (marked forgotten, skipped when read, so that the ids of the others stay).
    let lines = 0;
    if (needle !== undefined) {
      const chunks = db
        .prepare(
          `SELECT id, text, raw, colours FROM service_chunks WHERE instr(lower(text), ?) > 0 OR instr(lower(coalesce(raw, '')), ?) > 0 OR instr(lower(coalesce(colours, '')), ?) > 0${sessions}`,
        )
        .all(needle, needle, needle, ...sp) as { id: number; text: string; raw: string | null; colours: string | null }[];
      // The colours go back to the bytes as written (the emptied lines' places would no longer match).
      const upd = db.prepare('UPDATE service_chunks SET text = ?, raw = ?, colours = NULL WHERE id = ?');
      for (const c of chunks) {
        const text = c.text.split('\n');
        const raw = rawLines(c);
        for (let i = 0; i < text.length; i++)
          if (text[i].toLowerCase().includes(needle) || raw?.[i]?.toLowerCase().includes(needle)) {
            text[i] = FORGOTTEN;
            if (raw) raw[i] = '';
            lines++;
          }
        const kept = text.join('\n');
        upd.run(kept, raw && raw.join('\n'), c.id);
        setGrams(db, c.id, gramsOf(kept));
      }
    } else if (!w.ids?.length && (w.since !== undefined || w.until !== undefined)) {
      const range = [w.since ?? 0, w.until ?? Number.MAX_SAFE_INTEGER];
      lines = (db.prepare(`SELECT coalesce(sum(lines), 0) n FROM service_chunks WHERE at >= ? AND end_at <= ?${sessions}`).get(...range, ...sp) as { n: number }).n;
      db.prepare(`DELETE FROM service_chunks WHERE at >= ? AND end_at <= ?${sessions}`).run(...range, ...sp);
    }

    // Notes, and events that carry the text (a note's, a service's last lines).
    let notes = 0;
    let events = 0;
    if (needle !== undefined) {
      notes = db.prepare(`DELETE FROM notes WHERE (instr(lower(text), ?) > 0 OR instr(lower(coalesce(line_text, '')), ?) > 0)${sessions}`).run(needle, needle, ...sp).changes;
      events = db.prepare(`DELETE FROM events WHERE instr(lower(coalesce(data, '')), ?) > 0${sessions}`).run(needle, ...sp).changes;
    } else if (!w.ids?.length && (w.since !== undefined || w.until !== undefined))
      notes = db.prepare(`DELETE FROM notes WHERE created_at >= ? AND created_at <= ?${sessions}`).run(w.since ?? 0, w.until ?? Number.MAX_SAFE_INTEGER, ...sp).changes;
    return { commands: ids.length, notes, lines, events };
  })();
  zeroFreePages(db, 'logs');
  // Fresh index segments: the old ones, holding what was forgotten, are freed (and zeroed).
  for (const fts of ['commands_cmd_fts', 'commands_out_fts', 'service_chunks_fts']) db.prepare(`INSERT INTO ${fts}(${fts}) VALUES ('optimize')`).run();
  const cp = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  return { ...result, walCleared: cp[0]?.busy === 0 };
}

/**
 * Overwrites every free page of a file with zeros: the log writer frees pages
 * without zeroing them (logWriterPragmas in db.ts), so a retention pass may
 * have left old output there. A blob of zeros as large as the free list takes
 * all of its pages, then is dropped (this connection zeroes what it frees).
 */
export function zeroFreePages(db: Db, schema: string): number {
  return db
    .transaction(() => {
      const free = db.pragma(`${schema}.freelist_count`, { simple: true }) as number;
      if (!free) return 0;
      const size = db.pragma(`${schema}.page_size`, { simple: true }) as number;
      db.exec(`CREATE TABLE ${schema}.forget_zeros (b BLOB)`);
      // An overflow page holds size - 4 bytes; a blob at most 256 MiB (SQLite's limit is 1 GB).
      const put = db.prepare(`INSERT INTO ${schema}.forget_zeros VALUES (zeroblob(?))`);
      for (let left = free * (size - 4); left > 0; left -= 256 * 1024 * 1024) put.run(Math.min(left, 256 * 1024 * 1024));
      db.exec(`DROP TABLE ${schema}.forget_zeros`);
      return free;
    })
    .immediate();
}
