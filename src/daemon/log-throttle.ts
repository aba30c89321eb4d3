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

  /** share: of the daemon's time, what writing logs may take (0.5: as long a rest as the write took). */
  constructor(private share = Number(process.env.TRAIL_LOG_SHARE ?? 0.5)) {}

  add(s: Readable): void {
    this.streams.add(s);
    if (this.timer) s.pause();
  }

  delete(s: Readable): void {
    this.streams.delete(s);
  }

  /** Writing took `ms`: the streams rest so that writing stays within its share. */
  spent(ms: number): void {
    const rest = (ms * (1 - this.share)) / this.share;
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
