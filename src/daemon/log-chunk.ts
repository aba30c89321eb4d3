// What a service wrote, gathered (daemon/services.ts), made into what the
// store keeps (store/services.ts LogChunk): the text as a person saw it,
// redacted, its colours beside it, and its bitmap of pieces. Run by the log
// writer's thread (log-writer-thread.ts), never on the daemon's loop.
import { allGuarded, drawnOverSecrets, hintLiterals, KEY_PARTS, redact, redactRaw, REDACTED, type SecretPattern } from '../common/redact.js';
import { stripAnsi } from '../common/ansi.js';
import { CHUNK_LINES, type LogChunk } from '../store/services.js';

/** Lines one stream of a service wrote in one go, as the writer is sent them: UTF-8, '\n' between, none at the end. */
export type Sent = { service: string; stream: 'out' | 'err'; at: number; end_at: number; data: Uint8Array };

/**
 * The native look at output to be stored (native/relay.c scanOutput): its
 * bitmap of pieces, where the secret patterns' hints start, whether it has
 * control characters; in one pass. Without it each is found in JavaScript.
 */
export type Scan = (text: string, literals: string) => [Buffer, Int32Array, boolean];
/** native/relay.c scanBytes: the same look at UTF-8 bytes, with whether they hold controls (kinds & 1) or non-ASCII (kinds & 2), and their '\n's. */
export type ScanBytes = (bytes: Uint8Array, literals: string) => [Buffer, Int32Array, number, number];
/**
 * native/relay.c shownBytes: output with controls (colours) or UTF-8 as a
 * person saw it, line by line as chunkOf makes it, with its bitmap and
 * hints; null when chunkOf must do it. coloursOf: what the text lacks of
 * the bytes as written, when that is fewer bytes than they are.
 */
export type ShownBytes = {
  shown: (bytes: Uint8Array, literals: string) => [Buffer, Buffer, number, Int32Array, boolean] | null;
  colours: (written: Uint8Array, text: Uint8Array) => Buffer | null;
};

/** Bytes that make a line differ from what a terminal shows: escape sequences, carriage returns, backspaces. */
// Written as what it is not: V8 scans a negated class at 0.95 ns a byte, the class itself at 2.4.
export const CONTROLS = /[^\t\n\x20-\x7e\x80-\uffff]/;

export function countLines(s: string): number {
  let n = 1;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

type Meta = Omit<Sent, 'data'>;

/**
 * What a person saw is kept and searched, the colours beside it; a secret is
 * found in the text as shown, whatever escape sequences split it.
 */
export function chunkOf(sessionId: string, g: Meta, written: string, secrets: SecretPattern[], scan: Scan | null): LogChunk {
  // What the native pass found holds for the text as written; once the text changes, it is found again.
  const seen = scan?.(written, hintLiterals(secrets) ?? '');
  let text = written;
  let raw: string | null = null;
  if ((seen?.[2] ?? true) && CONTROLS.test(written)) {
    let hidden = false;
    text = written
      .split('\n')
      .map((l) => {
        if (!CONTROLS.test(l)) return l;
        // A secret a carriage return drew over (its keyword gone from what is shown): the line goes whole.
        if (!drawnOverSecrets(l, secrets).length) return stripAnsi(l);
        hidden = true;
        return REDACTED;
      })
      .join('\n');
    // The colours' copy holds the bytes as written: with a secret drawn over, it goes.
    if (written.includes('\x1b') && !hidden) raw = redactRaw(written, secrets);
  }
  const same = seen && text === written;
  text = redact(text, secrets, same ? seen[1] : undefined);
  const grams = same && text === written ? seen[0] : undefined;
  const lines = countLines(text);
  // A secret that spanned lines changed the count: the colours cannot be matched to lines, and go.
  if (raw !== null && countLines(raw) !== lines) raw = null;
  return { session_id: sessionId, service: g.service, stream: g.stream, at: g.at, end_at: g.end_at, lines, text, raw, grams };
}

/** A line of a private key's body, its END line, and a text that ends inside a key (its header, then only body lines). */
const KEY_LINE = new RegExp(`^${KEY_PARTS.body}$`);
const KEY_END = new RegExp(KEY_PARTS.end);
const KEY_OPEN = new RegExp(`${KEY_PARTS.begin}(?![^\\n]*-----END)[^\\n]*(?:\\n${KEY_PARTS.body})*$`);

/**
 * Whether a service's stream is inside a private key its last chunk began
 * (a key written a line at a time spans chunks): kept by the writer per
 * service and stream.
 */
export type KeyState = { open: boolean };

/** The lines of a key begun in an earlier chunk, at the start of this one, redacted; whether the key still goes on after. */
function keyGoesOn(text: string): { text: string; open: boolean } {
  const lines = text.split('\n');
  let k = 0;
  while (k < lines.length && !KEY_END.test(lines[k]) && KEY_LINE.test(lines[k])) k++;
  const ended = k < lines.length && KEY_END.test(lines[k]);
  if (ended) k++;
  if (k === 0) return { text, open: false };
  return { text: [REDACTED, ...lines.slice(k)].join('\n'), open: !ended && k === lines.length };
}

/**
 * Chunks from the bytes a service wrote (more than one when they hold more
 * lines than a chunk may). Most output is ASCII without escape sequences:
 * what a person saw already, stored from the bytes as they are (no string
 * made) when no pattern's hint or guard is in them. Anything else is
 * decoded and goes the way of chunkOf.
 */
export function chunksOfBytes(
  sessionId: string,
  g: Sent,
  secrets: SecretPattern[],
  scanBytes: ScanBytes | null,
  scan: Scan | null,
  key: KeyState = { open: false },
  shown: ShownBytes | null = null,
): LogChunk[] {
  const bytes = Buffer.from(g.data.buffer, g.data.byteOffset, g.data.byteLength);
  // From text: a key the last chunk began goes on first; whether this one ends inside a key is kept for the next.
  const fromText = (written: string): LogChunk => {
    if (key.open) ({ text: written, open: key.open } = keyGoesOn(written));
    const c = chunkOf(sessionId, g, written, secrets, scan);
    if (!key.open) key.open = written.includes('PRIVATE KEY-----') && KEY_OPEN.test(written);
    return c;
  };
  if (!scanBytes) return linesApart(bytes.toString('utf8')).map(fromText);
  const literals = hintLiterals(secrets) ?? '';
  const [grams, hints, kinds, newlines] = scanBytes(bytes, literals);
  if (newlines >= CHUNK_LINES) {
    // A flood of (nearly) empty lines: cut where the chunk's lines run out.
    let at = -1;
    for (let k = 0; k < CHUNK_LINES; k++) at = bytes.indexOf(10, at + 1);
    const part = (data: Uint8Array) => chunksOfBytes(sessionId, { ...g, data }, secrets, scanBytes, scan, key, shown);
    return [...part(bytes.subarray(0, at)), ...part(bytes.subarray(at + 1))];
  }
  const base = { session_id: sessionId, service: g.service, stream: g.stream, at: g.at, end_at: g.end_at, raw: null };
  // Coloured or not ASCII: the text as shown is made natively. With no secret in it, the bytes as written
  // are its colours' copy as they are: the texts redactRaw would look at differ from it only in blanks at
  // the ends of lines (and carriage returns there), and a secret's value ends at a blank, its keyword's
  // `\s*` takes them in. With a hint in it and other controls taken out, that is not so: chunkOf judges.
  if (kinds !== 0 && !key.open && shown && plainLiterals(secrets, literals) && !bytes.includes('PRIVATE KEY-----')) {
    const made = shown.shown(bytes, literals);
    if (made) {
      const [text, grams, newlines, hinted, plain] = made;
      const colours = bytes.includes(0x1b);
      const clean = () => {
        const s = text.toString('utf8');
        return redact(s, secrets, hinted) === s;
      };
      if (!hinted.length || ((!colours || plain) && clean())) {
        // The colours are kept as what the text lacks of the bytes as written (a few bytes a line), or as those bytes.
        const lacks = colours ? shown.colours(bytes, text) : null;
        return [{ ...base, lines: newlines + 1, text, grams, raw: colours && !lacks ? bytes : null, colours: lacks }];
      }
    }
  }
  if (kinds !== 0 || key.open) return [fromText(bytes.toString('utf8'))];
  if (!hints.length && allGuarded(secrets)) return [{ ...base, lines: newlines + 1, text: bytes, grams }];
  // ASCII: the hints' byte offsets are the string's.
  const written = bytes.toString('latin1');
  if (written.includes('PRIVATE KEY-----')) return [fromText(written)];
  const text = redact(written, secrets, hints);
  return [text === written ? { ...base, lines: newlines + 1, text, grams } : { ...base, lines: countLines(text), text }];
}

/**
 * Whether no hint means no secret (every pattern has hints), and the hints
 * hold no blank: then the hints of the text a line shows, trailing blanks
 * dropped or not, are the same.
 */
function plainLiterals(secrets: SecretPattern[], literals: string): boolean {
  return allGuarded(secrets) && !/[ \t]/.test(literals);
}

/** A text cut into pieces of at most CHUNK_LINES lines. */
function linesApart(text: string): string[] {
  const out: string[] = [];
  for (;;) {
    let at = -1;
    let k = 0;
    for (; k < CHUNK_LINES && (at = text.indexOf('\n', at + 1)) >= 0; k++);
    if (k < CHUNK_LINES || at < 0) return [...out, text];
    out.push(text.slice(0, at));
    text = text.slice(at + 1);
  }
}
