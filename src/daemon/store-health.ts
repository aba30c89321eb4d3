// Whether the store is taking writes. A write that fails (a full disk, a
// read-only file) must never stop a terminal or an operation: it is counted
// here, and `trail daemon status` and attached clients are told, once, that
// recording fails and since when, with the count of records not kept.
export type HealthView = { ok: boolean; failingSince: number | null; notKept: number; lastError: string | null };

export class StoreHealth {
  private failingSince: number | null = null;
  private notKept = 0;
  private lastError: string | null = null;
  private listeners = new Set<(h: HealthView) => void>();
  /** Writes of session state that failed, replayed in order once the store takes writes again. */
  private pending: { what: string; write: () => void }[] = [];
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private log: (line: string) => void,
    private now: () => number = Date.now,
  ) {}

  /** Runs one write; a failure is counted and reported, and null returned. */
  attempt<T>(what: string, write: () => T): T | null {
    if (this.pending.length) this.replay();
    try {
      const v = write();
      if (this.failingSince !== null && !this.pending.length) this.recovered();
      return v;
    } catch (e) {
      this.failed(what, e as Error);
      return null;
    }
  }

  /**
   * A write of session state (a session killed, a terminal ended): if it
   * fails it is kept and replayed, in order, when the store takes writes
   * again, so that the store and the live state agree once space returns.
   */
  state(what: string, write: () => void): void {
    if (this.pending.length) this.replay();
    if (this.pending.length) {
      this.pending.push({ what, write });
      return;
    }
    try {
      write();
      if (this.failingSince !== null) this.recovered();
    } catch (e) {
      this.pending.push({ what, write });
      this.failed(what, e as Error, false);
      this.retryLater();
    }
  }

  private replay(): void {
    while (this.pending.length) {
      try {
        this.pending[0].write();
      } catch {
        return;
      }
      this.pending.shift();
    }
    if (this.failingSince !== null) this.recovered();
  }

  private retryLater(): void {
    if (this.retryTimer) return;
    this.retryTimer = setInterval(() => {
      this.replay();
      if (!this.pending.length && this.retryTimer) {
        clearInterval(this.retryTimer);
        this.retryTimer = null;
      }
    }, 2000);
    this.retryTimer.unref();
  }

  private failed(what: string, e: Error, lost = true): void {
    if (lost) this.notKept++;
    this.lastError = e.message;
    if (this.failingSince !== null) return;
    this.failingSince = this.now();
    this.log(`recording fails: could not write ${what}: ${e.message}; records are not kept until the store takes writes again`);
    this.emit();
  }

  private recovered(): void {
    this.log(`recording works again: ${this.notKept} record(s) were not kept since ${new Date(this.failingSince!).toISOString()}`);
    this.failingSince = null;
    this.emit();
  }

  view(): HealthView {
    return { ok: this.failingSince === null, failingSince: this.failingSince, notKept: this.notKept, lastError: this.lastError };
  }

  onChange(f: (h: HealthView) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private emit(): void {
    const v = this.view();
    for (const f of this.listeners) f(v);
  }
}
