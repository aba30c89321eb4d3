// Finds the marks shell integration leaves in a terminal's output stream:
// OSC 633 (ours, nonce-signed), OSC 133 and OSC 7 (from shells we did not set up),
// and alternate-screen switches. Works on raw bytes, chunk by chunk, and only
// does real work on chunks that contain an ESC.
export type Mark =
  | { kind: 'osc633'; code: string; params: string[]; trusted: boolean; cut?: number }
  | { kind: 'osc133'; code: string; params: string[] }
  | { kind: 'cwd'; dir: string } // OSC 7
  | { kind: 'altscreen'; on: boolean };

/** start: where the mark begins in the chunk (0 when it began in an earlier one); end: just after it. */
export type FoundMark = { mark: Mark; start: number; end: number };

const ESC = 0x1b;
const BEL = 0x07;
const MAX_OSC = 64 * 1024;
/** An OSC 633 longer than MAX_OSC (a huge command line) is kept as this much of its head and of its tail. */
const LONG_KEEP = 32 * 1024;
const ALT_ON = [Buffer.from('\x1b[?1049h'), Buffer.from('\x1b[?1047h'), Buffer.from('\x1b[?47h')];
const ALT_OFF = [Buffer.from('\x1b[?1049l'), Buffer.from('\x1b[?1047l'), Buffer.from('\x1b[?47l')];

/** Decodes our OSC parameter escaping: `\\` is a backslash, `\xHH` a byte; then UTF-8. */
export function decodeParam(s: string): string {
  if (!s.includes('\\')) return s;
  const bytes: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (b === 0x5c && raw[i + 1] === 0x5c) {
      bytes.push(0x5c);
      i++;
    } else if (b === 0x5c && (raw[i + 1] === 0x78 || raw[i + 1] === 0x58) && i + 3 < raw.length + 1) {
      const hex = String.fromCharCode(raw[i + 2] ?? 0, raw[i + 3] ?? 0);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 3;
      } else bytes.push(b);
    } else bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The inverse of decodeParam: escapes the delimiter, the backslash and controls; keeps other UTF-8 text. */
export function encodeParam(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === ';' || cp <= 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out;
}

type LongOsc = { head: Buffer; tail: Buffer[]; tailBytes: number; total: number; backslashes: number };

export class MarkScanner {
  /** The start of a sequence cut off at the end of the last chunk (a lone ESC, half an OSC). */
  private partial: Buffer | null = null;
  /** An OSC 633 too long to keep whole, streaming through: its head, its tail so far and its size. */
  private long: LongOsc | null = null;

  constructor(private nonce: string | null) {}

  /** Marks in this chunk, with the offset where each one starts (0 for one begun in an earlier chunk). */
  scan(chunk: Buffer): FoundMark[] {
    if (this.long) {
      const found = this.continueLong(chunk);
      if (!found) return [];
      const rest = this.scan(chunk.subarray(found.end));
      return [found, ...rest.map((f) => ({ mark: f.mark, start: f.start + found.end, end: f.end + found.end }))];
    }
    if (this.partial === null && chunk.indexOf(ESC) === -1) return [];
    // A sequence cut at a read boundary is scanned again with the next read.
    const carried = this.partial ? this.partial.length : 0;
    const data = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = null;
    const at = (i: number) => Math.max(0, i - carried);
    const found: FoundMark[] = [];
    let from = 0;
    for (;;) {
      const i = data.indexOf(ESC, from);
      if (i === -1) break;
      const next = data[i + 1];
      if (next === undefined) {
        this.keep(data, i);
        break;
      }
      if (next === 0x5d /* ] */) {
        const end = findOscEnd(data, i + 2);
        if (end === -1) {
          if (data.length - i > MAX_OSC && isOsc633(data, i + 2)) {
            // Too long to hold whole (a huge command line): keep its head and tail as it streams.
            const body = data.subarray(i + 2);
            this.long = { head: Buffer.from(body.subarray(0, LONG_KEEP)), tail: [], tailBytes: 0, total: 0, backslashes: 0 };
            this.longAdd(body.subarray(LONG_KEEP));
            this.long.total = body.length;
            this.long.backslashes = countByte(body, 0x5c);
            break;
          }
          this.keep(data, i);
          break;
        }
        const m = this.parseOsc(data.subarray(i + 2, end.bodyEnd));
        if (m) found.push({ mark: m, start: at(i), end: at(end.next) });
        from = end.next;
      } else if (next === 0x5b /* [ */) {
        // Only "ESC [ ? digits h|l" matters; keep it whole if the read cut it.
        let j = i + 2;
        while (j < data.length && j < i + 12 && ((data[j] >= 0x30 && data[j] <= 0x39) || data[j] === 0x3f)) j++;
        if (j === data.length) {
          this.keep(data, i);
          break;
        }
        if (data[i + 2] === 0x3f) {
          const alt = matchAlt(data, i);
          if (alt !== null) found.push({ mark: { kind: 'altscreen', on: alt }, start: at(i), end: at(j + 1) });
        }
        from = i + 2;
      } else from = i + 1;
    }
    return found;
  }

  private longAdd(b: Buffer): void {
    const l = this.long!;
    if (!b.length) return;
    l.tail.push(Buffer.from(b));
    l.tailBytes += b.length;
    while (l.tail.length > 1 && l.tailBytes - l.tail[0].length >= LONG_KEEP) l.tailBytes -= l.tail.shift()!.length;
  }

  /** The next chunk of a long OSC: its end, made into a mark with the cut noted, or null if it goes on. */
  private continueLong(chunk: Buffer): FoundMark | null {
    const l = this.long!;
    let stop = -1;
    let next = -1;
    for (let j = 0; j < chunk.length; j++) {
      if (chunk[j] === BEL) {
        stop = j;
        next = j + 1;
        break;
      }
      if (chunk[j] === ESC) {
        stop = j;
        next = chunk[j + 1] === 0x5c ? j + 2 : j;
        break;
      }
    }
    const body = stop === -1 ? chunk : chunk.subarray(0, stop);
    this.longAdd(body);
    l.total += body.length;
    l.backslashes += countByte(body, 0x5c);
    if (stop === -1) return null;
    this.long = null;
    const tail = Buffer.concat(l.tail).subarray(-LONG_KEEP);
    const head = l.head.toString('utf8').split(';');
    const tailParts = tail.toString('utf8').split(';');
    const code = head[1] ?? '';
    const last = tailParts.length > 1 ? tailParts[tailParts.length - 1] : undefined;
    const trusted = this.nonce !== null && last === this.nonce;
    // The first parameter is the long one; an escape cut in two at either end is dropped.
    const first = decodeParam(head.slice(2).join(';').replace(/\\(x[0-9a-fA-F]?)?$/, ''));
    const end = decodeParam((trusted ? tailParts.slice(0, -1) : tailParts).join(';').replace(/^[0-9a-fA-F]{0,2}/, ''));
    // Each \xHH escape is one byte of the line: the line's size, near enough.
    const size = Math.max(0, l.total - 4 - code.length - 1 - (trusted ? this.nonce!.length + 1 : 0) - 3 * l.backslashes);
    const text = `${first} … [${size} bytes in all: head and tail kept] … ${end}`;
    return { mark: { kind: 'osc633', code, params: [text], trusted, cut: size }, start: 0, end: Math.min(next, chunk.length) };
  }

  private keep(data: Buffer, i: number): void {
    const rest = data.subarray(i);
    this.partial = rest.length > MAX_OSC ? null : Buffer.from(rest);
  }

  private parseOsc(body: Buffer): Mark | null {
    // Only the prefixes we care about are decoded; other OSCs (titles, colours) are skipped.
    if (body[0] === 0x36 && body[1] === 0x33 && body[2] === 0x33 && body[3] === 0x3b) {
      const parts = body.subarray(4).toString('utf8').split(';');
      const code = parts[0] ?? '';
      const last = parts.length > 1 ? parts[parts.length - 1] : undefined;
      const trusted = this.nonce !== null && last === this.nonce;
      const params = (trusted ? parts.slice(1, -1) : parts.slice(1)).map(decodeParam);
      return { kind: 'osc633', code, params, trusted };
    }
    if (body[0] === 0x31 && body[1] === 0x33 && body[2] === 0x33 && body[3] === 0x3b) {
      const parts = body.subarray(4).toString('utf8').split(';');
      return { kind: 'osc133', code: parts[0] ?? '', params: parts.slice(1) };
    }
    if (body[0] === 0x37 && body[1] === 0x3b) {
      const url = body.subarray(2).toString('utf8');
      const m = /^file:\/\/[^/]*(\/.*)$/.exec(url);
      if (!m) return null;
      try {
        return { kind: 'cwd', dir: decodeURIComponent(m[1]) };
      } catch {
        return { kind: 'cwd', dir: m[1] };
      }
    }
    return null;
  }
}

function isOsc633(buf: Buffer, i: number): boolean {
  return buf[i] === 0x36 && buf[i + 1] === 0x33 && buf[i + 2] === 0x33 && buf[i + 3] === 0x3b;
}

function countByte(b: Buffer, byte: number): number {
  let n = 0;
  for (let i = b.indexOf(byte); i !== -1; i = b.indexOf(byte, i + 1)) n++;
  return n;
}

function findOscEnd(buf: Buffer, from: number): { bodyEnd: number; next: number } | -1 {
  for (let j = from; j < buf.length; j++) {
    const b = buf[j];
    if (b === BEL) return { bodyEnd: j, next: j + 1 };
    if (b === ESC) {
      if (buf[j + 1] === 0x5c) return { bodyEnd: j, next: j + 2 };
      if (j + 1 < buf.length) return { bodyEnd: j, next: j }; // a new sequence cancels the OSC
      return -1;
    }
  }
  return -1;
}

function matchAlt(buf: Buffer, i: number): boolean | null {
  const has = (p: Buffer) => i + p.length <= buf.length && buf.compare(p, 0, p.length, i, i + p.length) === 0;
  for (const p of ALT_ON) if (has(p)) return true;
  for (const p of ALT_OFF) if (has(p)) return false;
  return null;
}

const OUR_PREFIX = Buffer.from('\x1b]633;');

/**
 * Removes trail's own marks (OSC 633) from what clients are sent, across
 * chunks, so that no outer terminal, log or watcher ever sees the nonce. The
 * native relay does the same (`strip_marks` in native/relay.c) for the
 * clients it feeds. A chunk without ESC, outside a mark, is returned as it is.
 */
export class MarkStripper {
  /** 0: outside a mark; 1: holding a possible start of one; 2: inside one; 3: ESC inside one. */
  private st = 0;
  private held = 0;

  strip(buf: Buffer): Buffer {
    if (this.st === 0 && buf.indexOf(0x1b) === -1) return buf;
    const out = Buffer.allocUnsafe(buf.length + OUR_PREFIX.length);
    let o = 0;
    for (let i = 0; i < buf.length; i++) {
      const ch = buf[i];
      switch (this.st) {
        case 0:
          if (ch === 0x1b) {
            this.held = 1;
            this.st = 1;
          } else out[o++] = ch;
          break;
        case 1:
          if (ch === OUR_PREFIX[this.held]) {
            if (++this.held === OUR_PREFIX.length) this.st = 2;
          } else {
            o += OUR_PREFIX.copy(out, o, 0, this.held);
            this.st = 0;
            i--; // this byte again, from outside
          }
          break;
        case 2:
          if (ch === 0x07) this.st = 0;
          else if (ch === 0x1b) this.st = 3;
          break;
        case 3:
          // ST ends the mark; any other ESC sequence ends it too, and its ESC may begin the next mark
          if (ch === 0x5c) this.st = 0;
          else {
            this.st = 1;
            this.held = 1;
            i--;
          }
          break;
      }
    }
    return out.subarray(0, o);
  }
}
