// Shared pieces for the benchmarks: a trail daemon on a temp TRAIL_HOME, a
// private tmux server, and an "outer terminal" (a node-pty) in which a client
// (trail attach or tmux attach) runs, so both are measured the same way.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pty from 'node-pty';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'trail.cjs');
export const LAUNCHER = join(ROOT, 'bin', 'trail');
export const DAEMON = join(ROOT, 'dist', 'src', 'server', 'main.js');

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A small seeded generator (xorshift32): the same data in every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return pct(s, 50);
}

export class World {
  readonly dir = mkdtempSync(join(tmpdir(), 'trail-bench-'));
  readonly home = join(this.dir, 'state');
  readonly userHome = join(this.dir, 'home');
  readonly tmuxSock = `trail-bench-${process.pid}`;
  readonly env: Record<string, string>;
  daemonPid = 0;

  constructor() {
    mkdirSync(this.userHome, { recursive: true });
    writeFileSync(join(this.userHome, '.bashrc'), "PS1='$ '\n");
    const base = { ...process.env } as Record<string, string>;
    for (const k of Object.keys(base)) if (k.startsWith('TRAIL_') || k === 'TMUX') delete base[k];
    this.env = { ...base, TRAIL_HOME: this.home, TRAIL_HTTP_PORT: '0', HOME: this.userHome, SHELL: '/bin/bash', LANG: 'C.UTF-8', TERM: 'xterm-256color' };
    // BENCH_RELAY=js: the daemon moves bytes in JavaScript, to compare with the native relay.
    if (process.env.BENCH_RELAY) this.env.TRAIL_RELAY = process.env.BENCH_RELAY;
  }

  async startDaemon(): Promise<void> {
    // BENCH_DAEMON_FLAGS: node flags for the daemon alone, for experiments (e.g. V8 tiering).
    const flags = (process.env.BENCH_DAEMON_FLAGS ?? '').split(' ').filter(Boolean);
    const p = spawn(process.execPath, [...flags, DAEMON], { env: this.env, stdio: 'ignore', detached: true });
    p.unref();
    this.daemonPid = p.pid!;
    for (let i = 0; i < 400 && !existsSync(join(this.home, 'daemon.sock')); i++) await sleep(25);
  }

  trail(...args: string[]): string {
    return execFileSync(process.execPath, [BIN, ...args], { env: this.env, encoding: 'utf8' });
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.tmuxSock, '-f', '/dev/null', ...args], { env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** A tmux session running bash with the same rc as trail's terminals. */
  tmuxSession(name: string, cols = 120, rows = 40, command = 'bash'): void {
    this.tmux('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), '-c', this.userHome, command);
    this.tmux('set-option', '-g', 'history-limit', '10000');
  }

  outer(file: string, args: string[], cols = 120, rows = 40): Outer {
    return new Outer(file, args, this.env, cols, rows);
  }

  stop(): void {
    try {
      this.trail('daemon', 'stop', '--force');
    } catch {
      /* not running */
    }
    try {
      this.tmux('kill-server');
    } catch {
      /* not running */
    }
    // fish may still be writing completions in the background: retry, and never fail on cleanup
    try {
      rmSync(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      /* left in the temp dir */
    }
  }
}

/** The terminal a person looks at: counts bytes and watches for a sentinel. */
export class Outer {
  readonly p: pty.IPty;
  bytes = 0;
  private tail = '';
  private waiters: { needle: string; resolve: () => void }[] = [];

  constructor(file: string, args: string[], env: Record<string, string>, cols: number, rows: number) {
    this.p = pty.spawn(file, args, { cols, rows, env, name: 'xterm-256color', encoding: null } as pty.IPtyForkOptions);
    this.p.onData((d) => {
      const b = d as unknown as Buffer;
      this.bytes += b.length;
      // A terminal answers where its cursor is (trail attach asks, as tmux and vim do); this one says the top.
      if (b.includes('\x1b[6n')) this.p.write('\x1b[1;1R');
      if (this.waiters.length === 0) return;
      // Look at the new bytes plus a little of the old ones, for a sentinel split across reads.
      const s = this.tail + b.toString('latin1');
      this.tail = s.slice(-64);
      this.waiters = this.waiters.filter((w) => {
        if (s.includes(w.needle)) {
          w.resolve();
          return false;
        }
        return true;
      });
    });
  }

  waitFor(needle: string, timeoutMs = 120_000): Promise<void> {
    this.tail = '';
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout waiting for ${needle}`)), timeoutMs);
      this.waiters.push({
        needle,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }

  type(s: string): void {
    this.p.write(s);
  }

  kill(): void {
    try {
      this.p.kill();
    } catch {
      /* gone */
    }
  }
}

export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export function ratio(a: number, b: number): string {
  return (a / b).toFixed(2) + '×';
}

/** Milliseconds `rg -c -F TEXT FILE` takes (the baseline beside trail's searches). */
export function timeRg(text: string, file: string): number {
  const t = performance.now();
  try {
    execFileSync('rg', ['-c', '-F', text, file], { stdio: ['ignore', 'ignore', 'ignore'] });
  } catch {
    /* exit 1 = no match */
  }
  return performance.now() - t;
}
