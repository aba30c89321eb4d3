// Finds the marks shell integration leaves in a terminal's output stream:
// OSC 633 (ours, nonce-signed), OSC 133 and OSC 7 (from shells we did not set up),
// and alternate-screen switches. Works on raw bytes, chunk by chunk, and only
// does real work on chunks that contain an ESC.
export type Mark =
  | { kind: 'osc633'; code: string; params: string[]; trusted: boolean }
  | { kind: 'osc133'; code: string; params: string[] }
  | { kind: 'cwd'; dir: string } // OSC 7
  | { kind: 'altscreen'; on: boolean };

export type FoundMark = { mark: Mark; start: number };

const ESC = 0x1b;
const BEL = 0x07;
const MAX_OSC = 64 * 1024;
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

export class MarkScanner {
  /** The start of a sequence cut off at the end of the last chunk (a lone ESC, half an OSC). */
  private partial: Buffer | null = null;

  constructor(private nonce: string | null) {}

  /** Marks in this chunk, with the offset where each one starts (0 for one begun in an earlier chunk). */
  scan(chunk: Buffer): FoundMark[] {
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
          this.keep(data, i);
          break;
        }
        const m = this.parseOsc(data.subarray(i + 2, end.bodyEnd));
        if (m) found.push({ mark: m, start: at(i) });
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
          if (alt !== null) found.push({ mark: { kind: 'altscreen', on: alt }, start: at(i) });
        }
        from = i + 2;
      } else from = i + 1;
    }
    return found;
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
