// Writing services' output gets at most a share of the daemon's time. Past
// it, their pipes are paused: a service that floods its output then waits on
// its own writes (as a terminal's program waits on a full PTY) instead of
// making terminals, recording and every client wait on the daemon.
import type { Readable } from 'node:stream';

export class LogThrottle {
  private streams = new Set<Readable>();
  private timer: NodeJS.Timeout | null = null;
  /** Milliseconds the streams were made to rest, in all (for a benchmark to report). */
  rested = 0;

  /**
   * Of the daemon's time, what writing logs may take: nine tenths while no
   * one watches a busy terminal (a write of 256 KiB takes 2–3 ms, and the
   * rest between writes lets the socket's requests and the terminals'
   * recording through), and a twentieth while someone does (measured: a
   * flood at half the time made keystroke echo's p99 2.8 times what it is
   * with no service; at a twentieth, 0.93 times).
   */
  constructor(
    private watched: () => boolean,
    private shares = { idle: 0.9, watched: 0.05 },
  ) {}

  add(s: Readable): void {
    this.streams.add(s);
    if (this.timer) s.pause();
  }

  delete(s: Readable): void {
    this.streams.delete(s);
  }

  /** Writing took `ms`: the streams rest so that writing stays within its share. */
  spent(ms: number): void {
    const share = this.watched() ? this.shares.watched : this.shares.idle;
    const rest = (ms * (1 - share)) / share;
    if (rest < 1) return;
    this.rested += rest;
    for (const s of this.streams) s.pause();
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      for (const s of this.streams) s.resume();
    }, rest);
    this.timer.unref();
  }
}
