// Services' output waits for the log writer (log-writer.ts): past a few
// megabytes sent to it and not yet written, their pipes are paused. A
// service that floods its output then waits on its own writes (as a
// terminal's program waits on a full PTY) instead of the daemon holding
// ever more of it in memory.
import type { Readable } from 'node:stream';

export class LogThrottle {
  private streams = new Set<Readable>();
  private inFlight = 0;
  private paused = false;

  constructor(private cap = 32 * 1024 * 1024) {}

  add(s: Readable): void {
    this.streams.add(s);
    if (this.paused) s.pause();
  }

  delete(s: Readable): void {
    this.streams.delete(s);
  }

  /** Whether the pipes are paused now (a stream resting for its own reasons may resume only when they are not). */
  get holding(): boolean {
    return this.paused;
  }

  /** Bytes sent to the writer. */
  sent(bytes: number): void {
    this.inFlight += bytes;
    if (this.paused || this.inFlight <= this.cap) return;
    this.paused = true;
    for (const s of this.streams) s.pause();
  }

  /** Bytes the writer is done with (written, or failed to write). */
  done(bytes: number): void {
    this.inFlight = Math.max(0, this.inFlight - bytes);
    if (!this.paused || this.inFlight > this.cap / 2) return;
    this.paused = false;
    for (const s of this.streams) s.resume();
  }
}
