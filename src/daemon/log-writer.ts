// Services' output is written by a thread of its own (log-writer-thread.ts),
// to a file of its own (the logs file, store/db.ts): a flooding service's
// chunks are made (redaction, bitmaps) and written while the daemon's loop
// goes on with terminals and clients, and SQLite's write lock on the logs
// file is never one the terminals' recording waits for. This is the daemon's
// side: what was sent and not yet written is counted (the throttle pauses the
// pipes past a limit); a failed write is reported like any store write.
import { Worker } from 'node:worker_threads';
import { LogThrottle } from './log-throttle.js';
import type { Sent } from './log-chunk.js';
import type { FromWriter, ToWriter, WriterInit } from './log-writer-thread.js';
import type { StoreHealth } from './store-health.js';

export type { WriterInit };

/** A chunk is closed past 256 KiB: a buffer this size holds one with the read that closed it. */
const BUFFER_BYTES = 512 * 1024;
/** Buffers kept to fill again (8 MiB at most: more are made while a flood needs them, and let go). */
const FREE_BUFFERS = 16;

export class LogWriter {
  private worker!: Worker;
  private seq = 0;
  private waiting = new Map<number, () => void>();
  /** Bytes sent to the current thread and not yet answered: what a thread that died took with it. */
  private unanswered = 0;
  private closing = false;
  /** False from a thread's death until the next one starts (a second on): output sent meanwhile is not kept, and said so. */
  private alive = false;
  /** How long after a thread's death the next starts: doubled while they die, back to a second once one writes. */
  private restartMs = 1000;
  readonly throttle = new LogThrottle();
  /** Buffers the thread is done with, to fill again (see buffer()). */
  private free: ArrayBuffer[] = [];

  constructor(
    private init: WriterInit,
    private health: StoreHealth,
    private log: (line: string) => void,
    private watched: () => boolean = () => false,
    /** Told which sessions' services had output stored, once it is (svc logs -f follows this). */
    private stored: (what: { sessionId: string; service: string }[]) => void = () => {},
  ) {
    this.start();
  }

  private start(): void {
    const w = new Worker(new URL('./log-writer-thread.js', import.meta.url), { workerData: this.init });
    this.worker = w;
    this.alive = true;
    w.on('message', (m: FromWriter) => {
      if (m.kind === 'synced') {
        this.waiting.get(m.id)?.();
        this.waiting.delete(m.id);
        return;
      }
      this.restartMs = 1000;
      this.unanswered -= m.bytes;
      if (m.stored.length) this.stored(m.stored);
      this.throttle.done(m.bytes);
      for (const b of m.buffers) if (this.free.length < FREE_BUFFERS) this.free.push(b);
      this.health.attempt(m.failed[0]?.what ?? 'service output', () => {
        if (m.failed.length) throw new Error(m.failed[0].message);
      });
    });
    w.on('error', (e) => this.log(`the log writer failed: ${e.message}`));
    w.on('exit', () => {
      this.alive = false;
      if (this.closing) return;
      // What it held is lost, and said so; a new one starts a little later (not in a loop, should it die at once again).
      this.log(`the log writer stopped; ${this.unanswered} byte(s) of service output were not kept; starting it again`);
      this.notKept('the log writer stopped');
      this.throttle.done(this.unanswered);
      this.unanswered = 0;
      for (const f of this.waiting.values()) f();
      this.waiting.clear();
      setTimeout(() => !this.closing && this.start(), this.restartMs).unref();
      this.restartMs = Math.min(60_000, this.restartMs * 2);
    });
  }

  /** A buffer of its own (transferable, all of it) of at least `length` bytes, one the thread gave back when there is one. */
  buffer(length: number): Buffer {
    const i = this.free.findIndex((b) => b.byteLength >= length);
    return Buffer.from(i >= 0 ? this.free.splice(i, 1)[0] : new ArrayBuffer(Math.max(length, BUFFER_BYTES)));
  }

  /** One session's gathered output, to be written in one transaction. Each one's bytes move to the thread (they are not the caller's after). */
  write(sessionId: string, sent: Sent[]): void {
    if (!this.alive) return this.notKept('the log writer is starting again');
    const bytes = sent.reduce((n, g) => n + g.data.byteLength, 0);
    this.unanswered += bytes;
    this.throttle.sent(bytes);
    this.post({ kind: 'write', sessionId, sent, bytes, watched: this.watched() }, sent.map((g) => g.data.buffer as ArrayBuffer));
  }

  /** Resolves once everything sent before is written (before a read of the logs). */
  synced(): Promise<void> {
    if (!this.alive) return Promise.resolve();
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.post({ kind: 'sync', id });
    });
  }

  private notKept(why: string): void {
    this.health.attempt('service output', () => {
      throw new Error(why);
    });
  }

  /** Writes what was sent, then closes the thread's connection. */
  async close(): Promise<void> {
    await this.synced();
    this.closing = true;
    if (!this.alive) return;
    const gone = new Promise((r) => this.worker.once('exit', r));
    this.post({ kind: 'close' });
    await gone;
  }

  private post(m: ToWriter, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }
}
