// The screen mirror: a headless xterm fed with everything the PTY prints, so a
// client attaching later gets the current screen and the scrollback.
import xtermHeadless from '@xterm/headless';
import serializePkg from '@xterm/addon-serialize';

const { Terminal } = xtermHeadless;
const { SerializeAddon } = serializePkg as unknown as { SerializeAddon: new () => import('@xterm/addon-serialize').SerializeAddon };

export class Mirror {
  private term: InstanceType<typeof Terminal>;
  private serializer: import('@xterm/addon-serialize').SerializeAddon;
  /** Bytes written but not yet parsed: the basis for PTY backpressure. */
  pending = 0;
  private onDrained: (() => void) | null = null;

  constructor(cols: number, rows: number, readonly scrollback: number) {
    this.term = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    this.serializer = new SerializeAddon();
    this.term.loadAddon(this.serializer as never);
  }

  write(data: Buffer): void {
    this.pending += data.length;
    this.term.write(data, () => {
      this.pending -= data.length;
      if (this.pending === 0 && this.onDrained) {
        const f = this.onDrained;
        this.onDrained = null;
        f();
      }
    });
  }

  /** Runs fn when everything written so far has been parsed, before later data. */
  at(fn: () => void): void {
    this.term.write('', fn);
  }

  whenDrained(fn: () => void): void {
    if (this.pending === 0) fn();
    else this.onDrained = fn;
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** Screen plus scrollback as escape sequences that redraw it on a real terminal. */
  serialize(): string {
    return this.serializer.serialize({ scrollback: this.scrollback });
  }

  /** The text of the active screen (not the scrollback), trailing blank lines dropped. */
  screenText(): string {
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  /** Absolute position of the cursor, for reading back what was typed between two marks. */
  cursor(): { y: number; x: number } {
    const buf = this.term.buffer.active;
    return { y: buf.baseY + buf.cursorY, x: buf.cursorX };
  }

  textBetween(from: { y: number; x: number }, to: { y: number; x: number }): string {
    const buf = this.term.buffer.active;
    let out = '';
    for (let y = from.y; y <= to.y; y++) {
      const line = buf.getLine(y);
      if (!line) continue;
      const start = y === from.y ? from.x : 0;
      const end = y === to.y ? to.x : undefined;
      const text = line.translateToString(y !== to.y, start, end);
      out += text;
      if (y !== to.y && !buf.getLine(y + 1)?.isWrapped) out += '\n';
    }
    return out.trimEnd();
  }

  dispose(): void {
    this.term.dispose();
  }
}
