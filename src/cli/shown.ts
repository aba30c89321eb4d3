// What the CLI prints of recorded text (command lines, directories, session
// names, output) can hold any bytes a program wrote: a directory named with
// ESC [ 31 m, a command that sets the window title or writes the clipboard
// (OSC 52). Printed as they are, they would drive the reader's terminal.
// Every text view shows control characters as escapes, as `git log` and `ls`
// do; only `show --raw` lets colours (SGR) through, and nothing else.

// C0 but tab and newline, DEL, C1, and the bidirectional controls that reorder what is shown.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  if (c === '\x1b') return '\\e';
  const n = c.charCodeAt(0);
  return n < 0x100 ? '\\x' + n.toString(16).padStart(2, '0') : '\\u' + n.toString(16).padStart(4, '0');
}

export function escapeControls(s: string): string {
  return s.replace(CONTROLS, escape);
}

/** Raw output with its colours: SGR sequences pass, every other escape sequence is removed, other controls escaped. */
export function coloursOnly(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x1b) {
      const end = sequenceEnd(raw, i);
      const seq = raw.slice(i, end + 1);
      if (/^\x1b\[[0-9;:]*m$/.test(seq)) out += seq;
      i = end;
      continue;
    }
    // \r and backspace draw progress bars and overstrikes within a line: harmless, and kept.
    if (c === 0x0d || c === 0x08) out += raw[i];
    else out += escapeControls(raw[i]);
  }
  return out;
}

/** Index of the last character of the escape sequence at i (CSI, OSC/DCS/APC/PM/SOS to their terminator, or two bytes). */
function sequenceEnd(s: string, i: number): number {
  const next = s[i + 1];
  if (next === undefined) return i;
  if (next === '[') {
    let j = i + 2;
    while (j < s.length && !(s.charCodeAt(j) >= 0x40 && s.charCodeAt(j) <= 0x7e)) j++;
    return Math.min(j, s.length - 1);
  }
  if (next === ']' || next === 'P' || next === '_' || next === '^' || next === 'X') {
    for (let j = i + 2; j < s.length; j++) {
      if (s[j] === '\x07') return j;
      if (s[j] === '\x1b' && s[j + 1] === '\\') return j + 1;
    }
    return s.length - 1;
  }
  return i + 1;
}

/** A view from the daemon made safe to print: every string with its controls escaped; `raw` keeps its colours only. */
export function shown<T>(v: T, key = ''): T {
  if (typeof v === 'string') return (key === 'raw' ? coloursOnly(v) : escapeControls(v)) as T;
  if (Array.isArray(v)) return v.map((x) => shown(x)) as T;
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = shown(x, k);
    return o as T;
  }
  return v;
}

/** A path as a person writes it: ~ for their home. */
export function tildePath(p: string, home = process.env.HOME): string {
  return home && (p === home || p.startsWith(home + '/')) ? '~' + p.slice(home.length) : p;
}
