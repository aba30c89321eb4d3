// Services' output and runs. Plain data in, plain rows out. Output is kept in
// chunks (migration 6): the lines one stream of a service wrote in one go.
import type { Db } from './db.js';
import { gramKeys, gramsOf, mayHold } from './grams.js';

/**
 * text: the lines as a person saw them, '\n' between, redacted (as UTF-8
 * bytes, or a string); raw: as written (colours), when any line had
 * escapes; grams: the text's bitmap (store/grams.ts) when the writer has
 * made it already (always, for bytes).
 */
export type LogChunk = {
  session_id: string;
  service: string;
  stream: 'out' | 'err';
  at: number;
  end_at: number;
  lines: number;
  text: string | Uint8Array;
  raw: string | Uint8Array | null;
  /** Instead of raw: what each line as shown lacks of it as written (withColours). */
  colours?: Uint8Array | null;
  grams?: Uint8Array;
};
type ChunkRow = Omit<LogChunk, 'text' | 'raw' | 'colours'> & { text: string; raw: string | null; colours: string | null; id: number; first: number };
/** One line of a service's output; id = chunk id × 65536 + its index in the chunk. */
export type LogRow = { id: number; session_id: string; service: string; at: number; stream: 'out' | 'err'; line: string; raw: string | null };
export type RunRow = { id: number; session_id: string; service: string; pid: number; proc_start: string | null; started_at: number; ended_at: number | null; exit_code: number | null };
export type LogSearch = { sessionIds?: string[]; service?: string; since?: number; limit: number };

/**
 * A chunk smaller than this goes into the trigram index; a larger one has a
 * bitmap of its pieces instead (migration 11, store/grams.ts): the index
 * costs 34 ns a byte written, which only a service writing fast feels, and a
 * search reads every bitmap, which only a service writing slowly (many
 * small chunks) would make slow.
 */
export const INDEX_BELOW = 65_536;

/** Lines a chunk may hold (a line's index must fit under the id's 16 bits). */
export const CHUNK_LINES = 65_535;
const LINE_BITS = 65_536;

export class ServiceStore {
  private insertChunk;
  private insertGrams;
  constructor(
    private db: Db,
    private grams: (text: string) => Uint8Array = gramsOf,
  ) {
    this.insertChunk = db.prepare(
      // Bytes are bound as a blob: CAST makes them the text they are (UTF-8), with no string made on the way.
      'INSERT INTO service_chunks (session_id, service, stream, at, end_at, lines, text, raw, colours, indexed) VALUES (@session_id, @service, @stream, @at, @end_at, @lines, CAST(@text AS TEXT), CAST(@raw AS TEXT), CAST(@colours AS TEXT), @indexed)',
    );
    this.insertGrams = db.prepare('INSERT INTO service_grams (chunk_id, session_id, service, end_at, grams) VALUES (?, ?, ?, ?, ?)');
  }

  addChunks(chunks: LogChunk[]): void {
    this.db.transaction((cs: LogChunk[]) => {
      for (const { grams, ...c } of cs) {
        const indexed = c.text.length < INDEX_BELOW;
        const id = this.insertChunk.run({ ...c, colours: c.colours ?? null, indexed: indexed ? 1 : 0 }).lastInsertRowid;
        if (!indexed) this.insertGrams.run(id, c.session_id, c.service, c.end_at, grams ?? this.grams(typeof c.text === 'string' ? c.text : Buffer.from(c.text).toString('utf8')));
      }
    })(chunks);
  }

  /** The last `limit` lines of a service (oldest first), after `afterId`, optionally since a time and containing a text (any case). */
  lines(sessionId: string, service: string, opts: { limit: number; afterId?: number; since?: number; contains?: string; stream?: 'out' | 'err' }): LogRow[] {
    const where = ['session_id = ?', 'service = ?'];
    const params: unknown[] = [sessionId, service];
    if (opts.afterId !== undefined) (where.push('id >= ?'), params.push(Math.floor(opts.afterId / LINE_BITS)));
    if (opts.since !== undefined) (where.push('end_at >= ?'), params.push(opts.since));
    if (opts.stream) (where.push('stream = ?'), params.push(opts.stream));
    if (opts.contains) (where.push('instr(lower(text), lower(?)) > 0'), params.push(opts.contains));
    const needle = opts.contains?.toLowerCase();
    const out: LogRow[] = [];
    const rows = this.db.prepare(`SELECT * FROM service_chunks WHERE ${where.join(' AND ')} ORDER BY id DESC`).iterate(...params) as IterableIterator<ChunkRow>;
    for (const c of rows) {
      const lines = linesOf(c);
      for (let i = lines.length - 1; i >= 0 && out.length < opts.limit; i--) {
        const l = lines[i];
        if (opts.afterId !== undefined && l.id <= opts.afterId) continue;
        if (needle && !l.line.toLowerCase().includes(needle)) continue;
        out.push(l);
      }
      if (out.length >= opts.limit) {
        rows.return?.();
        break;
      }
    }
    return out.reverse();
  }

  /** Lines containing `text` (any case), newest first (see searchLogs). */
  search(text: string, opts: LogSearch): LogRow[] {
    return searchLogs(this.db, text, opts);
  }

  /**
   * Keeps a service's newest `keep` lines (the oldest chunk kept is cut down
   * to its newest lines) and none older than `before`; returns how many lines went.
   */
  trim(sessionId: string, service: string, keep: number, before: number): number {
    let total = 0;
    let cut: { id: number; lines: number; first: number } | null = null;
    const rows = this.db
      .prepare('SELECT id, lines, first FROM service_chunks WHERE session_id = ? AND service = ? ORDER BY id DESC')
      .iterate(sessionId, service) as IterableIterator<{ id: number; lines: number; first: number }>;
    let kept = 0;
    for (const r of rows) {
      if (total + r.lines > keep) {
        cut = r;
        kept = keep - total;
        rows.return?.();
        break;
      }
      total += r.lines;
    }
    let gone = 0;
    return this.db.transaction(() => {
      if (cut) {
        const older = this.db.prepare('SELECT coalesce(sum(lines), 0) n FROM service_chunks WHERE session_id = ? AND service = ? AND id < ?').get(sessionId, service, cut.id) as { n: number };
        gone += older.n + cut.lines - kept;
        this.db.prepare('DELETE FROM service_chunks WHERE session_id = ? AND service = ? AND id < ?').run(sessionId, service, cut.id);
        if (kept === 0) this.db.prepare('DELETE FROM service_chunks WHERE id = ?').run(cut.id);
        else {
          const c = this.db.prepare('SELECT text, raw, colours FROM service_chunks WHERE id = ?').get(cut.id) as { text: string; raw: string | null; colours: string | null };
          const newest = (s: string) => s.split('\n').slice(-kept).join('\n');
          const text = newest(c.text);
          this.db
            .prepare('UPDATE service_chunks SET text = ?, raw = ?, colours = ?, lines = ?, first = ? WHERE id = ?')
            .run(text, c.raw === null ? null : newest(c.raw), c.colours === null ? null : newest(c.colours), kept, cut.first + cut.lines - kept, cut.id);
          setGrams(this.db, cut.id, this.grams(text));
        }
      }
      const old = this.db.prepare('SELECT coalesce(sum(lines), 0) n FROM service_chunks WHERE session_id = ? AND service = ? AND end_at < ?').get(sessionId, service, before) as { n: number };
      gone += old.n;
      this.db.prepare('DELETE FROM service_chunks WHERE session_id = ? AND service = ? AND end_at < ?').run(sessionId, service, before);
      return gone;
    })();
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

/** A chunk's bitmap, made again after its text changed (retention cut it, forget emptied lines): the old one would still tell what went. */
export function setGrams(db: Db, chunkId: number, grams: Uint8Array): void {
  db.prepare('UPDATE service_grams SET grams = ? WHERE chunk_id = ?').run(grams, chunkId);
}

/** A chunk's lines, each with its id, the chunk's time and stream. */
/**
 * A line as written, from the line as shown and what it lacks of it
 * (native/relay.c coloursOf): runs "OFFSET:UNITS:RUN", in UTF-16 units.
 */
export function withColours(line: string, lacks: string): string {
  let out = '';
  let pos = 0;
  for (let k = 0; k < lacks.length; ) {
    const a = lacks.indexOf(':', k);
    const b = lacks.indexOf(':', a + 1);
    const at = Number(lacks.slice(k, a));
    const end = b + 1 + Number(lacks.slice(a + 1, b));
    out += line.slice(pos, at) + lacks.slice(b + 1, end);
    pos = at;
    k = end;
  }
  return out + line.slice(pos);
}

/** Each line of a chunk as written, or null when it was stored as shown only. */
export function rawLines(c: { text: string; raw: string | null; colours: string | null }): string[] | null {
  if (c.colours === null) return c.raw?.split('\n') ?? null;
  const text = c.text.split('\n');
  return c.colours.split('\n').map((lacks, i) => withColours(text[i] ?? '', lacks));
}

function linesOf(c: ChunkRow): LogRow[] {
  const text = c.text.split('\n');
  const raw = rawLines(c);
  const out: LogRow[] = [];
  for (let i = 0; i < text.length; i++)
    if (text[i] !== FORGOTTEN)
      out.push({ id: c.id * LINE_BITS + c.first + i, session_id: c.session_id, service: c.service, at: c.at, stream: c.stream, line: text[i], raw: raw && raw[i] !== text[i] ? (raw[i] ?? null) : null });
  return out;
}

/**
 * What a forgotten line of a chunk becomes (store/forget.ts): a NUL, which
 * no line as shown holds (controls are taken out). Such lines are skipped
 * when read; the others keep their ids (a chunk's index of each line).
 */
export const FORGOTTEN = '\0';

/**
 * Services' output lines containing `text` (any case), newest first, across
 * services, until `limit` lines are found. Candidate chunks come newest
 * first from two places, merged: small chunks from the trigram index, large
 * ones whose bitmap may hold the text (store/grams.ts). A candidate's lines
 * are checked for the exact text. A text under three characters (or all
 * LIKE wildcards) has no piece to look for: every chunk is read. A plain
 * function of a connection: the search process runs it on a read-only one.
 */
export function searchLogs(db: Db, text: string, opts: LogSearch): LogRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.sessionIds) (where.push(`session_id IN (${opts.sessionIds.map(() => '?').join(',') || 'NULL'})`), params.push(...opts.sessionIds));
  if (opts.service) (where.push('service = ?'), params.push(opts.service));
  if (opts.since !== undefined) (where.push('end_at >= ?'), params.push(opts.since));
  const extra = where.map((w) => ' AND c.' + w).join('');
  const needle = text.toLowerCase();
  const pieces = text.split(/[%_]/).filter(Boolean);
  const chunks: Iterable<ChunkRow> = pieces.some((p) => p.length >= 3)
    ? newestFirst(
        db
          .prepare(
            `SELECT c.* FROM service_chunks_fts f JOIN service_chunks c ON c.id = f.rowid
             WHERE f.text LIKE ? AND instr(lower(c.text), lower(?)) > 0${extra} ORDER BY f.rowid DESC`,
          )
          .iterate('%' + pieces.join('%') + '%', text, ...params) as IterableIterator<ChunkRow>,
        bitmapCandidates(db, text, where, params),
      )
    : (db.prepare(`SELECT c.* FROM service_chunks c WHERE instr(lower(c.text), lower(?)) > 0${extra} ORDER BY c.id DESC`).iterate(text, ...params) as IterableIterator<ChunkRow>);
  const out: LogRow[] = [];
  for (const c of chunks) {
    const lines = linesOf(c);
    for (let i = lines.length - 1; i >= 0 && out.length < opts.limit; i--) if (lines[i].line.toLowerCase().includes(needle)) out.push(lines[i]);
    if (out.length >= opts.limit) break;
  }
  return out;
}

/** Large chunks whose bitmap may hold the text and that do hold it, newest first. */
function* bitmapCandidates(db: Db, text: string, where: string[], params: unknown[]): Generator<ChunkRow> {
  const keys = gramKeys(text);
  const open = db.prepare('SELECT * FROM service_chunks WHERE id = ? AND instr(lower(text), lower(?)) > 0');
  const rows = db
    .prepare(`SELECT chunk_id, grams FROM service_grams${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY chunk_id DESC`)
    .raw()
    .iterate(...params) as IterableIterator<[number, Buffer]>;
  for (const [id, grams] of rows) {
    if (!mayHold(grams, keys)) continue;
    const c = open.get(id, text) as ChunkRow | undefined;
    if (c) yield c;
  }
}

/** Two streams of chunks, each newest first, as one (a generator's return lets go of the statements under it). */
function* newestFirst(a: Iterator<ChunkRow>, b: Iterator<ChunkRow>): Generator<ChunkRow> {
  let x = a.next();
  let y = b.next();
  try {
    while (!x.done || !y.done) {
      if (y.done || (!x.done && x.value.id > y.value.id)) {
        yield x.value;
        x = a.next();
      } else {
        yield y.value;
        y = b.next();
      }
    }
  } finally {
    a.return?.();
    b.return?.();
  }
}
