// The interactive search (trail search -i, and Ctrl-R where the shell binding
// is on): a full-screen picker on the terminal (/dev/tty, so that the chosen
// line can go to stdout for the shell to put on its prompt), fuzzy over
// command lines, with a filter mode cycled by Ctrl-R, each row's exit status,
// age and directory, and a preview of the selected command's kept output.
//
// It reads the store itself, read-only: the newest rows first so it opens at
// once, the rest in pages behind it, without a daemon round trip per key.
import { openSync } from 'node:fs';
import tty from 'node:tty';
import { relative } from 'node:path';
import { homedir } from 'node:os';
import { trailPaths } from '../platform/paths.js';
import { TrailReader, type PickRow } from '../api/trail-reader.js';
import { fuzzyScore, queryTerms } from '../common/fuzzy.js';
import { escapeControls, tildePath } from './shown.js';
import { ClientError } from '../client/daemon-client.js';

type Mode = 'terminal' | 'session' | 'directory' | 'everywhere';
/** A mode's distinct lines, newest first: the rows, and their lines and lower-case lines in plain arrays (what matching reads, fast). */
type List = { rows: PickRow[]; lines: string[]; lower: string[] };
const emptyList = (): List => ({ rows: [], lines: [], lower: [] });
const MODE_TEXT: Record<Mode, string> = { terminal: 'this terminal', session: 'this session', directory: 'this directory', everywhere: 'everywhere' };

/** Rows read before the first frame, and per page after it. */
const FIRST_PAGE = 300;
const PAGE = 50_000;
/** Matches kept for the list: more than any screen shows. */
const TOP = 500;

export type PickOptions = { query: string; mode?: Mode };

/** Runs the picker; resolves to the chosen command line, or null if the person cancelled. */
export async function pick(opts: PickOptions): Promise<string | null> {
  const reader = await TrailReader.open(trailPaths().db);
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    reader?.close();
    throw new ClientError('the interactive search needs a terminal (/dev/tty); trail search TEXT works without one');
  }
  const input = new tty.ReadStream(fd);
  const output = new tty.WriteStream(fd);
  const here = process.cwd();
  const terminal = process.env.TRAIL_TERMINAL ?? null;
  const sessionId = reader && process.env.TRAIL_SESSION ? reader.sessionId(process.env.TRAIL_SESSION) : null;
  const modes: Mode[] = [...(terminal ? ['terminal' as const] : []), ...(sessionId ? ['session' as const] : []), 'directory', 'everywhere'];
  let mode: Mode = opts.mode && modes.includes(opts.mode) ? opts.mode : sessionId ? 'session' : 'everywhere';

  // Unique command lines per mode, newest first: a line run again counts once, at its newest run.
  const lists: Record<Mode, List> = { terminal: emptyList(), session: emptyList(), directory: emptyList(), everywhere: emptyList() };
  const seen: Record<Mode, Set<string>> = { terminal: new Set(), session: new Set(), directory: new Set(), everywhere: new Set() };
  let done = !reader;
  let nextId = Number.MAX_SAFE_INTEGER;
  const take = (page: PickRow[]) => {
    for (const p of page) {
      // The line in lower case once (matching lowers nothing per key), and only for a list that lacks it.
      let low: string | null = null;
      const put = (m: Mode) => {
        if (seen[m].has(p.command)) return;
        seen[m].add(p.command);
        const l = lists[m];
        l.rows.push(p);
        l.lines.push(p.command);
        l.lower.push((low ??= p.command.toLowerCase()));
      };
      put('everywhere');
      if (p.cwd === here) put('directory');
      if (sessionId && p.sessionId === sessionId) put('session');
      if (terminal && p.terminalId === terminal) put('terminal');
    }
    if (page.length) nextId = page[page.length - 1].id;
  };
  const loadPage = (n: number) => {
    if (!reader || done) return;
    const rows = reader.page(nextId, n);
    take(rows);
    if (rows.length < n) done = true;
  };

  let query = opts.query;
  let selected = 0;
  let scroll = 0;
  let matches: PickRow[] = [];
  // What the last query matched, to narrow from when the query only grew (typing on).
  let last: { query: string; mode: Mode; size: number; hits: number[] } | null = null;
  const refilter = () => {
    const terms = queryTerms(query);
    const list = lists[mode];
    if (!terms.length) {
      matches = list.rows.slice(0, TOP);
      last = null;
    } else {
      // Typing on only narrows: every line the longer query matches, the shorter one matched.
      const narrowing = last && last.mode === mode && last.size === list.rows.length && query.startsWith(last.query);
      const from = narrowing ? last!.hits : null;
      const hits: number[] = [];
      // The best TOP, kept sorted as they come (best first; among equals, the newest).
      // Indices ascend, so among equal scores the one already kept is the newer: only a higher score gets in once full.
      const scored: { s: number; i: number }[] = [];
      const { lines, lower } = list;
      const n = from ? from.length : lines.length;
      for (let k = 0; k < n; k++) {
        const i = from ? from[k] : k;
        const sc = fuzzyScore(terms, lines[i], lower[i]);
        if (sc < 0) continue;
        hits.push(i);
        if (scored.length === TOP && sc <= scored[TOP - 1].s) continue;
        let lo = 0;
        let hi = scored.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (scored[mid].s >= sc) lo = mid + 1;
          else hi = mid;
        }
        scored.splice(lo, 0, { s: sc, i });
        if (scored.length > TOP) scored.pop();
      }
      last = { query, mode, size: list.rows.length, hits };
      // Best match first; among equals, the newest.
      matches = scored.map((x) => list.rows[x.i]);
    }
    if (selected >= matches.length) selected = Math.max(0, matches.length - 1);
  };

  const home = process.env.HOME || homedir();
  const where = (cwd: string | null) => {
    if (!cwd) return '';
    if (cwd === here) return '.';
    const short = tildePath(cwd, home);
    if (short !== cwd) return short;
    const rel = relative(here, cwd);
    return rel.length < cwd.length ? rel : cwd;
  };
  const age = (t: number) => {
    const s = Math.max(0, (Date.now() - t) / 1000);
    if (s < 60) return `${Math.floor(s)}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m`;
    if (s < 86400) return `${Math.floor(s / 3600)}h`;
    if (s < 86400 * 365) return `${Math.floor(s / 86400)}d`;
    return `${Math.floor(s / (86400 * 365))}y`;
  };
  const fit = (s: string, w: number) => (s.length > w ? s.slice(0, Math.max(0, w - 1)) + '…' : s.padEnd(w));

  const draw = () => {
    const cols = output.columns || 80;
    const rows = output.rows || 24;
    const previewRows = rows >= 16 ? Math.floor(rows / 3) : 0;
    const listRows = Math.max(1, rows - 2 - (previewRows ? previewRows + 1 : 0));
    if (selected < scroll) scroll = selected;
    if (selected >= scroll + listRows) scroll = selected - listRows + 1;
    const lines: string[] = [];
    const count = lists[mode].rows.length;
    const shownCount = query.trim() ? `${matches.length >= TOP ? `${TOP}+` : matches.length} of ${count}` : String(count);
    const status = done ? `${shownCount} command${count === 1 ? '' : 's'}` : `${shownCount} commands, reading more…`;
    lines.push(`\x1b[7m${fit(` trail search · ${MODE_TEXT[mode]} (Ctrl-R: ${modes.length > 1 ? 'next filter' : 'no other filter'}) · ${status}`, cols)}\x1b[0m`);
    for (let i = 0; i < listRows; i++) {
      const r = matches[scroll + i];
      if (!r) {
        lines.push(i === 0 && !matches.length ? `\x1b[2m  ${query ? 'nothing matches' : 'no commands here yet'}\x1b[0m` : '');
        continue;
      }
      const st = r.exitCode === null ? '\x1b[2m ·  \x1b[0m' : r.exitCode === 0 ? '\x1b[32m ok \x1b[0m' : `\x1b[31m${String(r.exitCode).padStart(3)} \x1b[0m`;
      const dir = fit(where(r.cwd), Math.min(24, Math.floor(cols / 4)));
      const text = escapeControls(r.command.split('\n')[0] + (r.command.includes('\n') ? ' …' : ''));
      const body = `${age(r.startedAt).padStart(4)}  \x1b[2m${dir}\x1b[0m  ${fit(text, Math.max(10, cols - dir.length - 13))}`;
      const sel = scroll + i === selected;
      lines.push(sel ? `\x1b[1m>\x1b[0m${st}\x1b[1m${body}\x1b[0m` : ` ${st}${body}`);
    }
    if (previewRows) {
      lines.push(`\x1b[2m${'─'.repeat(cols)}\x1b[0m`);
      const r = matches[selected];
      const text = r ? escapeControls(r.command) + '\n' + (reader ? escapeControls(reader.output(r.id, 4000)) : '') : '';
      const pl = text.split('\n');
      for (let i = 0; i < previewRows; i++) lines.push(i < pl.length ? fit(pl[i], cols) : '');
    }
    const prompt = `> ${query}`;
    lines.push(fit(prompt, cols));
    // One write per frame: home, every line cleared to its end, the cursor after the query.
    // Autowrap off while drawing: a line a little too wide (wide characters) is cut, never scrolls the frame.
    output.write('\x1b[?25l\x1b[?7l\x1b[H' + lines.map((l) => l + '\x1b[K').join('\r\n') + `\x1b[J\x1b[?7h\x1b[${rows};${Math.min(cols, prompt.length + 1)}H\x1b[?25h`);
  };

  return await new Promise<string | null>((resolve) => {
    let redrawTimer: NodeJS.Timeout | null = null;
    let closed = false;
    const finish = (chosen: string | null) => {
      closed = true;
      if (redrawTimer) clearTimeout(redrawTimer);
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      output.write('\x1b[?1049l');
      reader?.close();
      input.destroy();
      resolve(chosen);
    };
    const keys = (s: string) => {
      const move = (by: number) => {
        selected = Math.max(0, Math.min(matches.length - 1, selected + by));
      };
      const page = Math.max(1, (output.rows || 24) - 10);
      // Whole sequences first: a chunk may hold several keys (a paste, typing ahead).
      let i = 0;
      while (i < s.length) {
        const rest = s.slice(i);
        const seq = /^\x1b(?:\[|O)([A-D]|5~|6~)/.exec(rest);
        if (seq) {
          if (seq[1] === 'A') move(-1);
          else if (seq[1] === 'B') move(1);
          else if (seq[1] === '5~') move(-page);
          else if (seq[1] === '6~') move(page);
          i += seq[0].length;
          continue;
        }
        const c = s.charCodeAt(i++);
        if (c === 0x0d || c === 0x0a) return finish(matches[selected]?.command ?? null);
        if (c === 0x1b || c === 0x03 || c === 0x07 || c === 0x04) return finish(null);
        if (c === 0x12) {
          mode = modes[(modes.indexOf(mode) + 1) % modes.length];
          selected = 0;
        } else if (c === 0x10 || c === 0x0b) move(-1);
        else if (c === 0x0e) move(1);
        else if (c === 0x7f || c === 0x08) query = query.slice(0, -1);
        else if (c === 0x15) query = '';
        else if (c === 0x17) query = query.replace(/\S*\s*$/, '');
        else if (c >= 0x20) {
          query += s[i - 1];
          selected = 0;
        }
      }
      refilter();
      draw();
    };
    const onData = (b: Buffer) => keys(b.toString('utf8'));
    input.setRawMode(true);
    input.on('data', onData);
    output.on('resize', draw);
    output.write('\x1b[?1049h');
    loadPage(FIRST_PAGE);
    refilter();
    draw();
    // The rest of the trail, a page at a time between keys; the view follows as it grows.
    const more = () => {
      if (done || closed) return;
      loadPage(PAGE);
      if (!redrawTimer)
        redrawTimer = setTimeout(() => {
          redrawTimer = null;
          refilter();
          draw();
        }, 50);
      setImmediate(more);
    };
    setImmediate(more);
  });
}
