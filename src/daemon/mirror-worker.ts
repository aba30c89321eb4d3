// The screen mirrors' thread: every terminal's headless xterm parses here, off
// the daemon's main thread, so PTY bytes reach clients without waiting for the
// parser and a 10,000-line serialize never stalls another terminal.
import { parentPort } from 'node:worker_threads';
import xtermHeadless from '@xterm/headless';
import serializePkg from '@xterm/addon-serialize';
import type { MirrorQuery, ToWorker, FromWorker } from './mirror-protocol.js';
import { skippableBytes, dropFront } from './mirror-skip.js';

const { Terminal } = xtermHeadless;
const { SerializeAddon } = serializePkg as unknown as { SerializeAddon: new () => import('@xterm/addon-serialize').SerializeAddon };

type Entry = {
  id: string;
  term: InstanceType<typeof Terminal>;
  serializer: import('@xterm/addon-serialize').SerializeAddon;
  scrollback: number;
  promptEnd: { y: number; x: number } | null;
  /** Bytes handed to xterm and not yet parsed. */
  inParser: number;
  /** What waits beyond that: output, and questions to answer at their point of the stream. */
  queue: (Buffer | (() => void))[];
  queuedBytes: number;
  /** Queue size at the last look for something to skip that found nothing. */
  lookedAt: number;
  /** Lines scrolled up so far (any scroll region). */
  scrolls: number;
};

/** xterm gets this much at a time; the rest waits in our queue, where it can be skipped. */
const PARSER_SHARE = 512 * 1024;
/** Only a queue this long is worth scanning for lines that would scroll away. */
const SKIP_MIN = 2 * 1024 * 1024;

type Internals = { _core?: { _inputHandler?: { _parser?: { currentState?: number } }; buffer?: { scrollTop: number; scrollBottom: number } } };

/** At rest between sequences, with a full-screen scroll region: the state in which plain text may be dropped. */
function atRest(e: Entry): boolean {
  const core = (e.term as unknown as Internals)._core;
  const state = core?._inputHandler?._parser?.currentState;
  const buf = core?.buffer;
  return state === 0 && !!buf && buf.scrollTop === 0 && buf.scrollBottom === e.term.rows - 1;
}

function feed(e: Entry, data: Buffer): void {
  const n = data.length;
  e.inParser += n;
  e.term.write(data, () => {
    e.inParser -= n;
    post({ op: 'ack', id: e.id, bytes: n });
    pump(e);
  });
}

function pump(e: Entry): void {
  if (e.queuedBytes >= SKIP_MIN && e.queuedBytes >= e.lookedAt + SKIP_MIN / 2 && typeof e.queue[0] !== 'function') {
    // The parser's state is known only once it has parsed all it was given.
    if (e.inParser > 0) return;
    const lead: Buffer[] = [];
    for (const q of e.queue) {
      if (typeof q === 'function') break;
      lead.push(q);
    }
    const n = atRest(e) ? skippableBytes(lead, e.scrollback + 2 * e.term.rows + 2) : 0;
    if (n > 0) {
      // Every dropped line would have scrolled the screen (the run is longer than screen and scrollback).
      e.scrolls += dropFront(e.queue as Buffer[], n);
      e.queuedBytes -= n;
      e.lookedAt = 0;
      post({ op: 'ack', id: e.id, bytes: n });
    } else e.lookedAt = e.queuedBytes;
  }
  while (e.queue.length && e.inParser < PARSER_SHARE) {
    const q = e.queue.shift()!;
    if (typeof q === 'function') e.term.write('', q);
    else {
      e.queuedBytes -= q.length;
      feed(e, q);
    }
  }
  if (e.queuedBytes < e.lookedAt) e.lookedAt = e.queuedBytes;
}

function enqueue(e: Entry, item: Buffer | (() => void)): void {
  e.queue.push(item);
  if (typeof item !== 'function') e.queuedBytes += item.length;
  pump(e);
}
const mirrors = new Map<string, Entry>();
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

function screenText(e: Entry): string {
  const buf = e.term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < e.term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

/**
 * Rows of the normal screen from the top that hold something (text or the
 * cursor): where a client that leaves, or moves to another terminal, can go
 * on below without writing over what it saw. The normal screen, because the
 * alternate one is left on the way out.
 */
function contentRows(e: Entry): number {
  const buf = e.term.buffer.normal;
  // The cursor's row counts unless it is empty with the cursor at its start.
  const cursorLine = buf.getLine(buf.baseY + buf.cursorY)?.translateToString(true) ?? '';
  let rows = buf.cursorX > 0 || cursorLine ? buf.cursorY + 1 : buf.cursorY;
  for (let y = e.term.rows - 1; y >= rows; y--)
    if (buf.getLine(buf.baseY + y)?.translateToString(true)) {
      rows = y + 1;
      break;
    }
  return rows;
}

type Cell = ReturnType<InstanceType<typeof Terminal>['buffer']['active']['getNullCell']>;

/** The SGR parameters that draw a cell as it is (after a reset). */
function sgrOf(c: Cell): string {
  let s = '';
  if (c.isBold()) s += ';1';
  if (c.isDim()) s += ';2';
  if (c.isItalic()) s += ';3';
  if (c.isUnderline()) s += ';4';
  if (c.isBlink()) s += ';5';
  if (c.isInverse()) s += ';7';
  if (c.isInvisible()) s += ';8';
  if (c.isStrikethrough()) s += ';9';
  const colour = (palette: boolean, rgb: boolean, v: number, base: number, bright: number) => {
    if (rgb) return `;${base + 8};2;${(v >> 16) & 255};${(v >> 8) & 255};${v & 255}`;
    if (!palette) return '';
    if (v < 8) return `;${base + v}`;
    if (v < 16) return `;${bright + v - 8}`;
    return `;${base + 8};5;${v}`;
  };
  s += colour(c.isFgPalette(), c.isFgRGB(), c.getFgColor(), 30, 90);
  s += colour(c.isBgPalette(), c.isBgRGB(), c.getBgColor(), 40, 100);
  return s;
}

/**
 * Each row of the screen as it shows, its colours and attributes as SGR
 * sequences (each row starts from a reset): what redraws rows that something
 * was drawn over, such as a notice.
 */
function screenRows(e: Entry): string[] {
  const buf = e.term.buffer.active;
  const cell = buf.getNullCell();
  const rows: string[] = [];
  for (let y = 0; y < e.term.rows; y++) {
    const line = buf.getLine(buf.baseY + y);
    let out = '';
    let pending = '';
    let prev = '';
    for (let x = 0; line && x < e.term.cols; x++) {
      line.getCell(x, cell);
      if (cell.getWidth() === 0) continue; // the second half of a wide character
      const sgr = sgrOf(cell);
      const written = cell.getChars();
      const ch = written || ' ';
      // Cells never written (no character, no colour) are held back: a row's trailing ones need not be drawn.
      // A space that was written is drawn: it is part of the row (a prompt's last character).
      if (!written && sgr === '') {
        pending += ' ';
        continue;
      }
      if (pending) {
        if (prev !== '') out += '\x1b[0m';
        out += pending;
        pending = '';
        prev = '';
      }
      if (sgr !== prev) out += `\x1b[0${sgr}m`;
      prev = sgr;
      out += ch;
    }
    rows.push(prev ? out + '\x1b[0m' : out);
  }
  return rows;
}

function cursor(e: Entry): { y: number; x: number } {
  const buf = e.term.buffer.active;
  return { y: buf.baseY + buf.cursorY, x: buf.cursorX };
}

function textBetween(e: Entry, from: { y: number; x: number }, to: { y: number; x: number }): string {
  const buf = e.term.buffer.active;
  let out = '';
  for (let y = from.y; y <= to.y; y++) {
    const line = buf.getLine(y);
    if (!line) continue;
    const text = line.translateToString(y !== to.y, y === from.y ? from.x : 0, y === to.y ? to.x : undefined);
    out += text;
    if (y !== to.y && !buf.getLine(y + 1)?.isWrapped) out += '\n';
  }
  return out.trimEnd();
}

/** Scrollback and screen as text, lines wrapped by the terminal joined again, trailing empty lines left out. */
function allText(e: Entry): string {
  const buf = e.term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < buf.length; y++) {
    const line = buf.getLine(y);
    if (!line) continue;
    const text = line.translateToString(true);
    if (line.isWrapped && lines.length) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

function answer(e: Entry, q: MirrorQuery): unknown {
  switch (q) {
    case 'serialize':
      return e.serializer.serialize({ scrollback: e.scrollback });
    case 'screenText':
      return screenText(e);
    case 'markPromptEnd':
      e.promptEnd = cursor(e);
      return null;
    case 'typedSincePromptEnd':
      return e.promptEnd ? textBetween(e, e.promptEnd, cursor(e)) : null;
    case 'sync':
      return null;
    case 'contentRows':
      return contentRows(e);
    case 'screenRows':
      return screenRows(e);
    case 'cursor':
      return { x: e.term.buffer.active.cursorX, y: e.term.buffer.active.cursorY };
    case 'scrolls':
      return e.scrolls;
    case 'allText':
      return allText(e);
  }
}

port.on('message', (m: ToWorker) => {
  try {
    if (m.op === 'create') {
      const term = new Terminal({ cols: m.cols, rows: m.rows, scrollback: m.scrollback, allowProposedApi: true });
      const serializer = new SerializeAddon();
      term.loadAddon(serializer as never);
      const e: Entry = { id: m.id, term, serializer, scrollback: m.scrollback, promptEnd: null, inParser: 0, queue: [], queuedBytes: 0, lookedAt: 0, scrolls: 0 };
      term.onScroll(() => e.scrolls++);
      mirrors.set(m.id, e);
      return;
    }
    const e = mirrors.get(m.id);
    if (!e) {
      if (m.op === 'query') post({ op: 'answer', q: m.q, value: null });
      return;
    }
    switch (m.op) {
      case 'write':
        enqueue(e, Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        return;
      case 'resize':
        // at its point of the stream, after the output that came before it
        enqueue(e, () => e.term.resize(m.cols, m.rows));
        return;
      case 'query':
        enqueue(e, () => {
          let value: unknown = null;
          try {
            value = answer(e, m.kind);
          } catch (err) {
            post({ op: 'error', message: `mirror ${m.id}: ${(err as Error).message}` });
          }
          post({ op: 'answer', q: m.q, value });
        });
        return;
      case 'dispose':
        e.term.dispose();
        mirrors.delete(m.id);
        return;
    }
  } catch (err) {
    post({ op: 'error', message: `mirror ${m.id}: ${(err as Error).stack ?? err}` });
  }
});
