// The screen mirror of one terminal: a headless xterm fed with everything the
// PTY prints, so a client attaching later gets the current screen and the
// scrollback. The parsing runs on the mirror thread (mirror-worker.ts); this
// side posts bytes in order and asks questions that are answered at exactly
// that point of the stream.
import { Worker } from 'node:worker_threads';
import type { FromWorker, MirrorQuery, ToWorker } from './mirror-protocol.js';

/** One thread serves every terminal's mirror. */
class MirrorThread {
  private worker: Worker | null = null;
  private nextQ = 1;
  private answers = new Map<number, (v: unknown) => void>();
  private acks = new Map<string, (bytes: number) => void>();
  onError: (message: string) => void = () => {};

  private get w(): Worker {
    if (!this.worker) {
      const w = new Worker(new URL('./mirror-worker.js', import.meta.url));
      w.unref();
      w.on('message', (m: FromWorker) => {
        if (m.op === 'ack') this.acks.get(m.id)?.(m.bytes);
        else if (m.op === 'answer') {
          const f = this.answers.get(m.q);
          this.answers.delete(m.q);
          f?.(m.value);
        } else this.onError(m.message);
      });
      w.on('error', (e) => this.onError(`mirror thread failed: ${e.stack ?? e.message}`));
      this.worker = w;
    }
    return this.worker;
  }

  post(m: ToWorker): void {
    this.w.postMessage(m);
  }

  query<T>(id: string, kind: MirrorQuery): Promise<T> {
    const q = this.nextQ++;
    return new Promise<T>((resolve) => {
      this.answers.set(q, resolve as (v: unknown) => void);
      this.post({ op: 'query', id, q, kind });
    });
  }

  onAck(id: string, f: ((bytes: number) => void) | null): void {
    if (f) this.acks.set(id, f);
    else this.acks.delete(id);
  }
}

export const mirrorThread = new MirrorThread();

export class Mirror {
  /** Bytes posted but not yet parsed: the basis for PTY backpressure. */
  pending = 0;
  private drained: (() => void)[] = [];

  constructor(
    private id: string,
    cols: number,
    rows: number,
    readonly scrollback: number,
  ) {
    mirrorThread.post({ op: 'create', id, cols, rows, scrollback });
    mirrorThread.onAck(id, (bytes) => {
      this.pending -= bytes;
      if (this.pending <= 0 && this.drained.length) {
        const fs = this.drained;
        this.drained = [];
        for (const f of fs) f();
      }
    });
  }

  write(data: Buffer): void {
    this.pending += data.length;
    mirrorThread.post({ op: 'write', id: this.id, data });
  }

  whenDrained(fn: () => void): void {
    if (this.pending <= 0) fn();
    else this.drained.push(fn);
  }

  resize(cols: number, rows: number): void {
    mirrorThread.post({ op: 'resize', id: this.id, cols, rows });
  }

  /** Screen plus scrollback as escape sequences that redraw it, as of everything written so far. */
  serialize(): Promise<string> {
    return mirrorThread.query<string>(this.id, 'serialize');
  }

  /** The text of the active screen (not the scrollback), as of everything written so far. */
  screenText(): Promise<string> {
    return mirrorThread.query<string>(this.id, 'screenText');
  }

  /** The scrollback and the screen as text, as of everything written so far. */
  allText(): Promise<string> {
    return mirrorThread.query<string>(this.id, 'allText');
  }

  /** Remembers where the prompt ended, to read back what was typed after it. */
  markPromptEnd(): void {
    void mirrorThread.query(this.id, 'markPromptEnd');
  }

  /** What was typed since the marked prompt end (for shells that do not send the command line). */
  typedSincePromptEnd(): Promise<string | null> {
    return mirrorThread.query<string | null>(this.id, 'typedSincePromptEnd');
  }

  /** Rows of the normal screen that hold text or the cursor, as of everything written so far (null once disposed). */
  contentRows(): Promise<number | null> {
    return mirrorThread.query<number | null>(this.id, 'contentRows');
  }

  /** Each row of the screen with its colours, as of everything written so far (null once disposed). */
  screenRows(): Promise<string[] | null> {
    return mirrorThread.query<string[] | null>(this.id, 'screenRows');
  }

  /** Lines the screen has scrolled up so far, as of everything written so far (null once disposed). */
  scrolls(): Promise<number | null> {
    return mirrorThread.query<number | null>(this.id, 'scrolls');
  }

  /** Where the cursor is on the screen (0-based), as of everything written so far (null once disposed). */
  cursor(): Promise<{ x: number; y: number } | null> {
    return mirrorThread.query<{ x: number; y: number } | null>(this.id, 'cursor');
  }

  /** Resolves once everything written so far is parsed (answers arrive in order). */
  sync(): Promise<void> {
    return mirrorThread.query<void>(this.id, 'sync');
  }

  dispose(): void {
    mirrorThread.onAck(this.id, null);
    mirrorThread.post({ op: 'dispose', id: this.id });
  }
}
