// trail's own keys, taken out of what a person types at an attached terminal:
// the detach key, and the prefix key followed by a key of the table below. The
// daemon applies it whichever way the keys arrived (read from the client's
// tty, or relayed by the client), so there is one implementation of the table.
export type AttachKeys = { detach: number; prefix: number };

export type KeyAction =
  | { kind: 'data'; data: Buffer }
  | { kind: 'switch'; to: string }
  | { kind: 'detach' }
  /** Show the keys (prefix ?) or the sessions to choose from (prefix s). */
  | { kind: 'help' }
  | { kind: 'sessions' }
  /** The key after prefix s: a session's number, or anything else to stay. */
  | { kind: 'session'; index: number | null }
  /** A key after the prefix that means nothing: said on screen, never sent. */
  | { kind: 'unbound'; key: string };

/** How a key byte reads to a person: Ctrl-\, Ctrl-], a, Space. */
export function keyLabel(b: number): string {
  if (b === 0x7f) return 'Backspace';
  if (b === 0x20) return 'Space';
  if (b < 0x20) return `Ctrl-${String.fromCharCode(b + 0x40)}`;
  return b < 0x7f ? String.fromCharCode(b) : `byte ${b}`;
}

/** The key table, as `Ctrl-] ?` shows it. */
export function keyHelp(keys: AttachKeys): string[] {
  const p = keyLabel(keys.prefix);
  const d = keyLabel(keys.detach);
  // Lines under 80 columns: they are drawn on the bottom rows of any terminal.
  return [
    `trail keys: ${d} detach; ${p} then one of:`,
    `  n/p next/previous terminal · c new terminal · 0-9 terminal N · l last terminal`,
    `  s sessions · d detach · ? these keys · ${p} sends ${p} · ${d} sends ${d}`,
  ];
}

export class KeyFilter {
  private prefixed = false;
  private choosing = false;

  constructor(
    private keys: AttachKeys,
    private readOnly: boolean,
  ) {}

  /** The prefix key came last (or prefix s): the next key is trail's. */
  get pending(): boolean {
    return this.prefixed || this.choosing;
  }

  push(chunk: Buffer): KeyAction[] {
    const { detach, prefix } = this.keys;
    // A read-only client can only leave.
    if (this.readOnly) return chunk.includes(detach) ? [{ kind: 'detach' }] : [];
    const out: KeyAction[] = [];
    const data = (from: number, to: number) => {
      if (to > from) out.push({ kind: 'data', data: from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to) });
    };
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.choosing) {
        this.choosing = false;
        start = i + 1;
        out.push({ kind: 'session', index: b >= 0x31 && b <= 0x39 ? b - 0x30 : null });
        continue;
      }
      if (this.prefixed) {
        this.prefixed = false;
        start = i + 1;
        const ch = String.fromCharCode(b);
        if (b === prefix || b === detach) out.push({ kind: 'data', data: Buffer.from([b]) });
        else if (ch === 'n') out.push({ kind: 'switch', to: 'next' });
        else if (ch === 'p') out.push({ kind: 'switch', to: 'prev' });
        else if (ch === 'c') out.push({ kind: 'switch', to: 'new' });
        else if (ch === 'l') out.push({ kind: 'switch', to: 'last' });
        else if (ch >= '0' && ch <= '9') out.push({ kind: 'switch', to: ch });
        else if (ch === '?') out.push({ kind: 'help' });
        else if (ch === 's') {
          this.choosing = true;
          out.push({ kind: 'sessions' });
        } else if (ch === 'd') {
          out.push({ kind: 'detach' });
          return out;
        } else out.push({ kind: 'unbound', key: keyLabel(b) });
        continue;
      }
      if (b === detach) {
        data(start, i);
        out.push({ kind: 'detach' });
        return out;
      }
      if (b === prefix) {
        data(start, i);
        this.prefixed = true;
        start = i + 1;
      }
    }
    data(start, chunk.length);
    return out;
  }
}
