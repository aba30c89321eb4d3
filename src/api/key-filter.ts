// trail's own keys, taken out of what a person types at an attached terminal:
// the detach key, and the prefix key followed by n/p/c/0-9/d (or the prefix key
// again, to send it through). The daemon applies it whichever way the keys
// arrived (read from the client's tty, or relayed by the client), so there is
// one implementation of the key table.
export type AttachKeys = { detach: number; prefix: number };

export type KeyAction = { kind: 'data'; data: Buffer } | { kind: 'switch'; to: string } | { kind: 'detach' };

export class KeyFilter {
  private prefixed = false;

  constructor(
    private keys: AttachKeys,
    private readOnly: boolean,
  ) {}

  /** The prefix key came last: the next key is trail's. */
  get pending(): boolean {
    return this.prefixed;
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
      if (this.prefixed) {
        this.prefixed = false;
        start = i + 1;
        const ch = String.fromCharCode(b);
        if (b === prefix) out.push({ kind: 'data', data: Buffer.from([prefix]) });
        else if (ch === 'n') out.push({ kind: 'switch', to: 'next' });
        else if (ch === 'p') out.push({ kind: 'switch', to: 'prev' });
        else if (ch === 'c') out.push({ kind: 'switch', to: 'new' });
        else if (ch >= '0' && ch <= '9') out.push({ kind: 'switch', to: ch });
        else if (ch === 'd') {
          out.push({ kind: 'detach' });
          return out;
        }
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
