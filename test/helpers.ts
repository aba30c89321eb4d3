// Test helpers: a real daemon on a temporary TRAIL_HOME, the real CLI, and real
// PTYs for attach clients, read back through a headless xterm as a person sees them.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pty from 'node-pty';
import xtermHeadless from '@xterm/headless';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'trail.cjs');
/** The `trail` command as installed: the sh launcher in front of BIN. */
export const LAUNCHER = join(ROOT, 'bin', 'trail');
export const DAEMON = join(ROOT, 'dist', 'src', 'server', 'main.js');

export type Env = Record<string, string>;

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'trail-test-'));
  readonly home = join(this.dir, 'state');
  readonly userHome = join(this.dir, 'home');
  readonly env: Env;
  private daemon: ChildProcess | null = null;

  constructor(extra: Env = {}) {
    rmSync(this.userHome, { recursive: true, force: true });
    mkdirSync(this.userHome, { recursive: true });
    // A plain prompt the tests can wait for; /etc/profile would set its own otherwise.
    writeFileSync(join(this.userHome, '.bashrc'), "PS1='$ '\n");
    // fish would otherwise parse every man page in the background on its first start
    mkdirSync(join(this.userHome, '.local', 'share', 'fish', 'generated_completions'), { recursive: true });
    const base = { ...process.env } as Env;
    for (const k of Object.keys(base)) if (k.startsWith('TRAIL_') || k === 'TMUX' || k === 'ZDOTDIR') delete base[k];
    this.env = {
      ...base,
      TRAIL_HOME: this.home,
      // Every result the daemon returns is checked against the contract of operations.
      TRAIL_CHECK_OUTPUT: '1',
      // Each test's daemon serves HTTP on a free port of its own (status says which).
      TRAIL_HTTP_PORT: '0',
      HOME: this.userHome,
      // TRAIL_TEST_BASH runs the bash tests with another bash (the oldest supported is 4.4).
      SHELL: process.env.TRAIL_TEST_BASH ?? '/bin/bash',
      LANG: 'C.UTF-8',
      ...extra,
    };
  }

  /** Writes a file in the user's home (rc files). */
  file(name: string, text: string): string {
    const p = join(this.userHome, name);
    writeFileSync(p, text);
    return p;
  }

  async startDaemon(): Promise<void> {
    // The daemon logs to its state dir; the test process holds no pipe to it, so
    // a daemon left running can never keep a test file from finishing.
    this.daemon = spawn(process.execPath, [DAEMON], { env: this.env, stdio: 'ignore' });
    this.daemon.unref();
    // Up means accepting connections: a daemon killed with SIGKILL leaves its socket file behind.
    const sock = join(this.home, 'daemon.sock');
    for (let i = 0; i < 400; i++) {
      if (existsSync(sock) && (await canConnect(sock))) return;
      await sleep(25);
    }
    throw new Error(`daemon did not start; its log:\n${existsSync(join(this.home, 'daemon.log')) ? readFileSync(join(this.home, 'daemon.log'), 'utf8').slice(-2000) : '(none)'}`);
  }

  /** The daemon's log, all of it ('' if there is none yet). */
  daemonLog(): string {
    const f = join(this.home, 'daemon.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  trail(args: string[], opts: { env?: Env; input?: string; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = execFile(process.execPath, [BIN, ...args], { env: { ...this.env, ...opts.env }, timeout: 30_000, cwd: opts.cwd }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (opts.input !== undefined) child.stdin!.end(opts.input);
      else child.stdin!.end();
    });
  }

  async json<T>(args: string[]): Promise<T> {
    const r = await this.trail(args);
    if (r.code !== 0) {
      const log = join(this.home, 'daemon.log');
      throw new Error(`trail ${args.join(' ')} failed: ${r.stderr}${existsSync(log) ? `\ndaemon.log ends:\n${readFileSync(log, 'utf8').slice(-1500)}` : ''}`);
    }
    return JSON.parse(r.stdout) as T;
  }

  /** `trail search ARGS --json`: its hits; exit 0 with hits and 1 without, as grep. */
  async search<T>(args: string[]): Promise<T[]> {
    const r = await this.trail(['search', ...args, '--json']);
    const hits = JSON.parse(r.stdout || 'null') as T[] | null;
    if (!Array.isArray(hits)) throw new Error(`trail search ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    if (r.code !== (hits.length ? 0 : 1)) throw new Error(`trail search ${args.join(' ')} exited ${r.code} with ${hits.length} hit(s)`);
    return hits;
  }

  attach(args: string[], size = { cols: 100, rows: 30 }, env: Env = {}): PtyClient {
    return new PtyClient(process.execPath, [BIN, ...args], { ...this.env, ...env }, size);
  }

  async cleanup(): Promise<void> {
    await this.trail(['daemon', 'stop', '--force']);
    this.daemon?.kill();
    // fish may still be writing completions in the background: retry, and never fail on cleanup
    try {
      rmSync(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      /* left in the temp dir */
    }
  }
}


/** A program running in a real PTY, with its screen kept by a headless xterm. */
export class PtyClient {
  readonly proc: pty.IPty;
  readonly term: InstanceType<typeof xtermHeadless.Terminal>;
  raw = '';
  exitCode: number | null = null;
  readonly exited: Promise<number>;

  constructor(file: string, args: string[], env: Env, size: { cols: number; rows: number }) {
    this.term = new xtermHeadless.Terminal({ cols: size.cols, rows: size.rows, scrollback: 20000, allowProposedApi: true });
    this.proc = pty.spawn(file, args, { cols: size.cols, rows: size.rows, env, name: 'xterm-256color', cwd: env.HOME });
    this.proc.onData((d) => {
      this.raw += d;
      this.term.write(d);
    });
    // A terminal answers queries (where is the cursor, what are you) as a real one does.
    this.term.onData((d) => this.proc.write(d));
    this.exited = new Promise((resolve) =>
      this.proc.onExit(({ exitCode }) => {
        this.exitCode = exitCode;
        resolve(exitCode);
      }),
    );
  }

  type(s: string): void {
    this.proc.write(s);
  }

  /** The client's exit code, or an error naming what it showed if it has not left in time. */
  async left(timeout = 15_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the client did not exit; it showed:\n${this.raw.slice(-2000)}`)), timeout);
    });
    try {
      return await Promise.race([this.exited, t]);
    } finally {
      clearTimeout(timer);
      this.kill();
    }
  }

  /** Lines of the visible screen. */
  async screen(): Promise<string> {
    await new Promise<void>((r) => this.term.write('', r));
    const b = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  /** Scrollback and screen, all of it. */
  async allText(): Promise<string> {
    await new Promise<void>((r) => this.term.write('', r));
    const b = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < b.length; y++) lines.push(b.getLine(y)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  /**
   * At a prompt with nothing typed: the cursor sits right after a prompt sign
   * ($ # % >) and a space, with nothing after it. (trail's marks never reach
   * clients, so the screen is what tells.)
   */
  async promptReady(timeout = 10_000): Promise<void> {
    const end = Date.now() + timeout;
    let line = '';
    while (Date.now() < end) {
      await new Promise<void>((r) => this.term.write('', r));
      const b = this.term.buffer.active;
      line = b.getLine(b.baseY + b.cursorY)?.translateToString(false) ?? '';
      if (/[$#%>] $/.test(line.slice(0, b.cursorX)) && line.slice(b.cursorX).trim() === '') return;
      await sleep(20);
    }
    throw new Error(`timed out waiting for a prompt; the cursor line was: ${JSON.stringify(line)}`);
  }

  async waitFor(pred: string | RegExp | ((s: string) => boolean), what: 'screen' | 'all' | 'raw' = 'screen', timeout = 10_000): Promise<string> {
    const test = typeof pred === 'string' ? (s: string) => s.includes(pred) : pred instanceof RegExp ? (s: string) => pred.test(s) : pred;
    const end = Date.now() + timeout;
    let last = '';
    while (Date.now() < end) {
      last = what === 'raw' ? this.raw : what === 'all' ? await this.allText() : await this.screen();
      if (test(last)) return last;
      await sleep(30);
    }
    throw new Error(`timed out waiting for ${String(pred)}; ${what} was:\n${last.slice(-3000)}`);
  }

  kill(): void {
    try {
      this.proc.kill();
    } catch {
      /* gone */
    }
  }
}

/** What every record view has that runCommand needs. */
export type RecordLike = { id: number; endedAt: number | null; endReason: string | null };

/** A command is written when it starts; it is done once it has ended (or says why it has no end). */
export const done = (x: RecordLike) => x.endedAt !== null || x.endReason !== null;

/**
 * Types a command line (at the prompt, unless atPrompt is false) and waits until
 * the session's trail holds one more record and every record is done; returns
 * the newest, with its output.
 */
export async function runCommand<T extends RecordLike>(sb: Sandbox, c: PtyClient, session: string, keys: string, atPrompt = true): Promise<T> {
  const log = () => sb.json<T[]>(['log', session, '--json', '-n', '1000']);
  if (atPrompt) await c.promptReady();
  const before = (await log()).filter(done).length;
  c.type(keys);
  const list = await eventually(async () => {
    const l = await log();
    return l.filter(done).length > before && l.every(done) ? l : null;
  }, `a record for ${JSON.stringify(keys)}`);
  return sb.json<T>(['show', String(list[list.length - 1].id), '--json']);
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeout = 10_000): Promise<T> {
  const end = Date.now() + timeout;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(50);
  }
  throw new Error(`timed out: ${what}${last ? ` (${(last as Error).message})` : ''}`);
}
