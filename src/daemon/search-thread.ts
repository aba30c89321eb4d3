// Search runs in a process of its own, on a read-only connection to the store
// (WAL lets it read while the daemon writes): a long query (1,000 × "a" over
// 200,000 commands takes seconds) must never hold up recording or any client.
// One query at a time, in order; a query that runs past the limit is killed
// with its process (a thread could not be stopped inside SQLite), and the
// next query gets a fresh one.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CommandFilter, CommandRow, SearchField } from '../store/commands.js';
import type { LogRow, LogSearch } from '../store/services.js';
import { TrailError } from '../common/errors.js';

export type SearchRequest = { text: string; filter: CommandFilter; limit: number; field: SearchField };
/** What the search process is sent: commands (the default) or services' output. */
export type SearchMessage = ({ kind?: 'commands' } & SearchRequest) | { kind: 'logs'; text: string; opts: LogSearch } | { kind: 'outputCutoff'; maxBytes: number };
type Job = { req: SearchMessage; limitMs: number; resolve: (rows: unknown[]) => void; reject: (e: Error) => void };

export class SearchThread {
  private worker: ChildProcess | null = null;
  private queue: Job[] = [];
  private busy: Job | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private dbFile: string,
    private limitMs = 10_000,
  ) {}

  search(req: SearchRequest, limitMs = this.limitMs): Promise<CommandRow[]> {
    return this.ask(req, limitMs) as Promise<CommandRow[]>;
  }

  /** Services' output lines containing a text (a gigabyte of logs is searched here, never on the daemon's loop). */
  searchLogs(text: string, opts: LogSearch, limitMs = this.limitMs): Promise<LogRow[]> {
    return this.ask({ kind: 'logs', text, opts }, limitMs) as Promise<LogRow[]>;
  }

  /** Where the size limit of kept output falls (see outputCutoff): read in the search process, off the daemon's loop. */
  async outputCutoff(maxBytes: number): Promise<number | null> {
    const rows = (await this.ask({ kind: 'outputCutoff', maxBytes }, 120_000)) as { id: number }[];
    return rows[0]?.id ?? null;
  }

  private ask(req: SearchMessage, limitMs: number): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, limitMs, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.busy || !this.queue.length) return;
    const job = (this.busy = this.queue.shift()!);
    const w = this.thread();
    this.timer = setTimeout(() => {
      this.worker = null;
      w.kill('SIGKILL');
      this.done(null, new TrailError('invalid', `the search took longer than ${job.limitMs / 1000} s and was stopped: search for something more specific`));
    }, job.limitMs);
    w.send(job.req);
  }

  private thread(): ChildProcess {
    if (this.worker) return this.worker;
    const w = fork(fileURLToPath(new URL('./search-worker.js', import.meta.url)), [this.dbFile], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    w.unref();
    w.channel?.unref();
    w.on('message', (m: { rows?: unknown[]; error?: string }) => {
      if (m.error !== undefined) this.done(null, new Error(m.error));
      else this.done(m.rows ?? [], null);
    });
    w.on('exit', () => {
      if (this.worker !== w) return;
      this.worker = null;
      this.done(null, new Error('the search process ended'));
    });
    this.worker = w;
    return w;
  }

  private done(rows: unknown[] | null, err: Error | null): void {
    const job = this.busy;
    if (!job) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.busy = null;
    if (err) job.reject(err);
    else job.resolve(rows!);
    this.next();
  }

  close(): void {
    this.worker?.kill('SIGKILL');
    this.worker = null;
  }
}
