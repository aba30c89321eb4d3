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
import { escapeControls } from './shown.js';
import { ClientError } from './client.js';

type Mode = 'terminal' | 'session' | 'directory' | 'everywhere';
const MODE_TEXT: Record<Mode, string> = { terminal: 'this terminal', session: 'this session', directory: 'this directory', everywhere: 'everywhere' };

/** Rows read before the first frame, and per page after it. */
const FIRST_PAGE = 2000;
const PAGE = 50_000;

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
  const lists: Record<Mode, PickRow[]> = { terminal: [], session: [], directory: [], everywhere: [] };
  const seen: Record<Mode, Set<string>> = { terminal: new Set(), session: new Set(), directory: new Set(), everywhere: new Set() };
  let loaded = 0;
  let done = !reader;
  let nextId = Number.MAX_SAFE_INTEGER;
  const take = (rows: PickRow[]) => {
    for (const r of rows) {
      const put = (m: Mode) => {
        if (seen[m].has(r.command)) return;
        seen[m].add(r.command);
        lists[m].push(r);
      };
      put('everywhere');
      if (r.cwd === here) put('directory');
      if (sessionId && r.sessionId === sessionId) put('session');
      if (terminal && r.terminalId === terminal) put('terminal');
    }
    loaded += rows.length;
    if (rows.length) nextId = rows[rows.length - 1].id;
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
  const refilter = () => {
    const terms = queryTerms(query);
    const list = lists[mode];
    if (!terms.length) matches = list.slice(0, 1000);
    else {
      const scored: { r: PickRow; s: number; i: number }[] = [];
      for (let i = 0; i < list.length; i++) {
        const sc = fuzzyScore(terms, list[i].command);
        if (sc >= 0) scored.push({ r: list[i], s: sc, i });
      }
      // Best match first; among equals, the newest.
      scored.sort((a, b) => b.s - a.s || a.i - b.i);
      matches = scored.slice(0, 1000).map((x) => x.r);
    }
    if (selected >= matches.length) selected = Math.max(0, matches.length - 1);
  };

  const home = process.env.HOME || homedir();
  const where = (cwd: string | null) => {
    if (!cwd) return '';
    if (cwd === here) return '.';
    if (cwd === home || cwd.startsWith(home + '/')) return '~' + cwd.slice(home.length);
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
    const count = lists[mode].length;
    const status = done ? `${count} command${count === 1 ? '' : 's'}` : `${count} commands, reading more…`;
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
