// `trail up` of a stack of services, against the same processes started by
// hand in the same order (each waiting for the one before it to accept on its
// port, as the dependencies say; both poll the port every 5 ms), in the same run. Each service is a small
// node HTTP server that is ready as soon as it listens.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { World, median, BIN, LAUNCHER, sleep, pct, ratio, rssKiB, rng, timeRg } from './lib.js';
import { openDb, logsFileOf } from '../src/store/db.js';
import { ServiceStore, searchLogs, type LogChunk } from '../src/store/services.js';
import { echoBlock } from './terminal.js';

const SERVER = "require('http').createServer((q,s)=>s.end('ok')).listen(+process.argv[1],'127.0.0.1')";

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

async function waitPort(port: number, server: ChildProcess): Promise<void> {
  while (!(await accepts(port))) {
    if (server.exitCode !== null) throw new Error(`the server for port ${port} exited (${server.exitCode}) before it listened`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function services(n: number, rounds: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  // Below the range the kernel takes connections' own ports from (32768–60999): a probe's closed
  // connection holds its port for a minute, and a server given that port could not listen on it.
  const base = 20000 + Math.floor(Math.random() * 12000);
  const project = join(w.userHome, 'stack');
  mkdirSync(project, { recursive: true });
  const lines = ['services:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  s${i}:`, `    command: node -e "${SERVER}" ${base + i}`, `    ready: { port: ${base + i}, period: 5ms }`);
    if (i > 0) lines.push(`    depends_on: { s${i - 1}: { condition: ready } }`);
  }
  writeFileSync(join(project, 'trail.yaml'), lines.join('\n') + '\n');
  try {
    await w.startDaemon();
    w.trail('new', 'stack', '-d', '--dir', project);
    const byHand: number[] = [];
    const byTrail: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // By hand: each started once the one before accepts.
      const t0 = performance.now();
      const procs: ChildProcess[] = [];
      for (let i = 0; i < n; i++) {
        procs.push(spawn('/bin/sh', ['-c', `node -e "${SERVER}" ${base + i}`], { stdio: ['ignore', 'ignore', 'inherit'], detached: true }));
        await waitPort(base + i, procs[i]);
      }
      byHand.push(performance.now() - t0);
      for (const p of procs) {
        try {
          process.kill(-p.pid!, 'SIGKILL');
        } catch {
          /* its group is gone already */
        }
      }
      for (let i = 0; i < n; i++) while (await accepts(base + i)) await new Promise((res) => setTimeout(res, 5));
      // trail up, as a person runs it (the bin/trail launcher): the CLI returns once every service is ready.
      const t1 = performance.now();
      await new Promise<void>((resolve) => spawn(LAUNCHER, ['up', '--session', 'stack'], { env: w.env, stdio: 'ignore' }).on('exit', () => resolve()));
      byTrail.push(performance.now() - t1);
      await new Promise<void>((resolve) => spawn(process.execPath, [BIN, 'down', '--session', 'stack'], { env: w.env, stdio: 'ignore' }).on('exit', () => resolve()));
    }
    const hand = median(byHand);
    const trail = median(byTrail);
    // Each round's two runs are a pair: a node server's start varies by tens of ms from one minute to
    // the next on this VM, and the difference within a round is what trail adds.
    const overheads = byTrail.map((t, i) => t - byHand[i]);
    out.push(`services: trail up of ${n} node HTTP servers in a dependency chain, each ready when its port accepts (${rounds} rounds, median)`);
    out.push(`  by hand, each after the one before accepts: ${hand.toFixed(0)} ms`);
    out.push(`  trail up (CLI start to every service ready): ${trail.toFixed(0)} ms`);
    out.push(`  overhead for the stack, trail up minus by hand in the same round: median ${median(overheads).toFixed(0)} ms (goal ≤ 100 ms); rounds ${overheads.map((x) => x.toFixed(0)).join(', ')}`);
  } finally {
    w.stop();
  }
  return out;
}

/** pm2 from the npm registry, installed once into a cache beside the benchmarks (never a dependency of trail). */
function pm2Bin(): string {
  const dir = join(homedir(), '.cache', 'trail-bench', 'pm2');
  const bin = join(dir, 'node_modules', '.bin', 'pm2');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, 'pm2@5'], { stdio: 'ignore' });
  }
  return bin;
}

/** A private pm2 (its own PM2_HOME) for one benchmark. */
class Pm2 {
  readonly home: string;
  private bin = pm2Bin();
  constructor(private w: World) {
    this.home = join(w.dir, 'pm2');
    mkdirSync(this.home, { recursive: true });
  }
  run(...args: string[]): string {
    return execFileSync(this.bin, args, { env: { ...this.w.env, PM2_HOME: this.home }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  get version(): string {
    return this.run('--version').trim().split('\n').pop()!;
  }
  get daemonPid(): number {
    return Number(readFileSync(join(this.home, 'pm2.pid'), 'utf8'));
  }
  kill(): void {
    try {
      this.run('kill');
    } catch {
      /* not running */
    }
  }
}

// BENCH_FLOOD=color: each line coloured as dev servers colour theirs (what is then stored is the text as shown, the colours beside it);
// utf8: with a character that is not ASCII; color-utf8: both; -token: a word secrets are looked for around, with no secret.
const FLOOD_KIND = process.env.BENCH_FLOOD ?? '';
const MARK = (FLOOD_KIND.includes('utf8') ? '✓ ' : '') + (FLOOD_KIND.includes('token') ? 'token refreshed, ' : '');
const FLOOD_LINE = FLOOD_KIND.includes('color')
  ? `${MARK}\x1b[32mlog line %.0f\x1b[0m: GET /api/items?page=3 200 12ms user=42`
  : `${MARK}log line %.0f: GET /api/items?page=3 200 12ms user=42`;
const FLOOD = `seq -f '${FLOOD_LINE}' 1 999999999`;
/** FLOOD as a YAML double-quoted scalar. */
const FLOOD_YAML = JSON.stringify(FLOOD).replace(/\\u001b/g, '\\e');

/** Lines and bytes of service output in the store. */
function storedLogs(w: World): { lines: number; bytes: number; newest: string } {
  const db = new Database(join(w.home, 'trail.logs.db'), { readonly: true });
  try {
    const r = db.prepare('SELECT coalesce(sum(lines), 0) n, coalesce(sum(length(text)) + sum(lines), 0) b FROM service_chunks').get() as { n: number; b: number };
    // The newest whole line (the very last may have been cut short when the service was stopped, alone in its chunk).
    const newest = (db.prepare('SELECT text FROM service_chunks ORDER BY id DESC LIMIT 3').all() as { text: string }[])
      .flatMap((c) => c.text.split('\n').filter((l) => l.endsWith('user=42')).slice(-1))[0];
    return { lines: r.n, bytes: r.b, newest: newest ?? '' };
  } finally {
    db.close();
  }
}

/**
 * Benchmark 1: a service printing short lines as fast as it can, for `seconds`:
 * lines and MB per second kept (and searchable) by trail, against pm2 writing
 * the same command's output to its log file, in the same run. Rounds
 * alternate which goes first (this machine's speed drifts within a run).
 */
export async function serviceLogs(seconds: number, rounds: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  const project = join(w.userHome, 'flood');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'trail.yaml'), `services:\n  flood:\n    command: ${FLOOD_YAML}\n    restart: "no"\n`);
  writeFileSync(join(project, 'flood.sh'), `#!/bin/sh\nexec ${FLOOD}\n`, { mode: 0o755 });
  const pm2 = new Pm2(w);
  // Every line kept (the default keeps a service's newest 100,000): what is measured is what was written.
  // BENCH_RETENTION=1: the default retention, as a person runs it; the lines written are then read from the newest line's number.
  const retention = process.env.BENCH_RETENTION === '1';
  mkdirSync(w.home, { recursive: true, mode: 0o700 });
  if (!retention) writeFileSync(join(w.home, 'config.yaml'), 'service_logs: { lines: 1000000000 }\n');
  try {
    await w.startDaemon();
    w.trail('new', 'flood', '-d', '--dir', project);
    const version = pm2.version;
    const rate = (x: number) => (x / seconds).toFixed(0);
    out.push(`service logs: a service printing short lines as fast as it can (seq), ${seconds} s each, ${rounds} round(s) alternating, same machine, same run`);
    const sum = { trail: 0, pm2: 0, trailSeconds: 0 };
    let stored = { lines: 0, bytes: 0 };
    let searchMs = 0;
    let hit = true;
    const runTrail = async () => {
      w.trail('up', '--session', 'flood', '-d');
      await sleep(seconds * 1000);
      w.trail('down', '--session', 'flood');
      // What was read and not yet stored (up to 32 MiB in flight) is stored before it is counted, and the time
      // that takes counts (CLI start included): svc logs waits for the writer. (Read before that, the count
      // missed it, and with retention the newest line read could be cut away before the search below.)
      const d0 = performance.now();
      w.trail('svc', 'logs', 'flood', '--session', 'flood', '-n', '1');
      const drain = (performance.now() - d0) / 1000;
      const t = storedLogs(w);
      // Searchable: the newest line is found by its number.
      const n = /log line (\d+)/.exec(t.newest)![1];
      // With retention, what went is counted from the numbers (each run of seq starts at 1); its bytes from the kept lines' mean.
      const lines = retention ? Number(n) : t.lines - stored.lines;
      const bytes = retention ? (lines * t.bytes) / t.lines : t.bytes - stored.bytes;
      stored = t;
      sum.trail += lines;
      const s0 = performance.now();
      const found = w.trail('search', `log line ${n}:`, '--in', 'logs', '--json');
      searchMs = Math.max(searchMs, performance.now() - s0);
      hit &&= (JSON.parse(found) as { line: string }[]).some((h) => h.line === t.newest);
      sum.trailSeconds += seconds + drain;
      return `trail ${(lines / (seconds + drain)).toFixed(0)} lines/s, ${(bytes / 1e6 / (seconds + drain)).toFixed(1)} MB/s (${drain.toFixed(2)} s to store the rest)`;
    };
    const runPm2 = async (k: number) => {
      pm2.run('start', join(project, 'flood.sh'), '--name', `flood${k}`, '--no-autorestart');
      await sleep(seconds * 1000);
      pm2.run('stop', `flood${k}`);
      const logFile = join(pm2.home, 'logs', `flood${k}-out.log`);
      const bytes = statSync(logFile).size;
      const lines = Number(execFileSync('wc', ['-l', logFile], { encoding: 'utf8' }).trim().split(' ')[0]);
      sum.pm2 += lines;
      return `pm2 ${rate(lines)} lines/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s`;
    };
    // Before each: what the last one wrote goes to the disk first, so that neither pays for the other's writeback.
    const settled = async <T>(run: () => Promise<T>) => (execFileSync('sync'), run());
    for (let k = 0; k < rounds; k++) {
      const first = k % 2 === 0 ? await settled(runTrail) : await settled(() => runPm2(k));
      const second = k % 2 === 0 ? await settled(() => runPm2(k)) : await settled(runTrail);
      out.push(`  round ${k + 1}: ${first}; ${second}`);
    }
    out.push(`  trail: stored in SQLite, redacted, indexed${retention ? ", its newest 100,000 lines kept (the default retention)" : ''}; pm2 ${version}: appended to its log file`);
    out.push(`  trail / pm2 (all rounds' lines a second): ${ratio(sum.trail / sum.trailSeconds, sum.pm2 / (seconds * rounds))} (goal ≥ 1.00×); the newest line found by trail search in ≤ ${searchMs.toFixed(0)} ms (CLI start included): ${hit ? 'yes' : 'NO'}`);
  } finally {
    pm2.kill();
    w.stop();
  }
  return out;
}

/** Benchmark 2: keystroke echo p99 at an attached terminal while a service floods its logs, against none running. */
export async function echoUnderFlood(keys: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  const project = join(w.userHome, 'flood');
  mkdirSync(project, { recursive: true });
  // busy: the control, a service that takes a core and prints nothing (what a flood costs the machine beside its logs).
  writeFileSync(join(project, 'trail.yaml'), `services:\n  flood:\n    command: ${FLOOD_YAML}\n    restart: "no"\n    autostart: false\n  busy:\n    command: "while :; do :; done"\n    autostart: false\n`);
  try {
    await w.startDaemon();
    w.trail('new', 'flood', '-d', '--dir', project, '--', 'cat');
    const t = w.outer(process.execPath, [BIN, 'attach', 'flood']);
    await sleep(1500);
    await echoBlock(t, 1000, []); // warm up
    const quiet: number[] = [];
    const flood: number[] = [];
    const busy: number[] = [];
    const under = async (svc: string, into: number[]) => {
      w.trail('up', svc, '--session', 'flood', '-d');
      await sleep(1000);
      await echoBlock(t, keys / 2, into);
      w.trail('down', '--session', 'flood');
    };
    // Alternate: quiet, flooding, busy, twice.
    for (let r = 0; r < 2; r++) {
      await echoBlock(t, keys / 2, quiet);
      await under('flood', flood);
      await under('busy', busy);
    }
    t.kill();
    const lines = storedLogs(w).lines;
    for (const xs of [quiet, flood, busy]) xs.sort((a, b) => a - b);
    out.push(`echo under a log flood: ${keys} keystrokes each at an attached terminal (cat): no service; one printing as fast as it can; one taking a core and printing nothing`);
    out.push(`  no service:          p50 ${pct(quiet, 50).toFixed(3)} ms   p99 ${pct(quiet, 99).toFixed(3)} ms`);
    out.push(`  service flooding:    p50 ${pct(flood, 50).toFixed(3)} ms   p99 ${pct(flood, 99).toFixed(3)} ms   (${lines.toLocaleString('en')} lines kept: the newest 100,000 by default)`);
    out.push(`  service busy, quiet: p50 ${pct(busy, 50).toFixed(3)} ms   p99 ${pct(busy, 99).toFixed(3)} ms`);
    out.push(`  flooding / none: p99 ${ratio(pct(flood, 99), pct(quiet, 99))} (goal ≤ 1.20×); busy / none: p99 ${ratio(pct(busy, 99), pct(quiet, 99))}`);
  } finally {
    w.stop();
  }
  return out;
}

/** Benchmark 4: memory the daemon spends per supervised service, against pm2's per process. */
export async function serviceMemory(n: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  const project = join(w.userHome, 'many');
  mkdirSync(project, { recursive: true });
  const lines = ['services:'];
  for (let i = 0; i < n; i++) lines.push(`  s${i}:`, `    command: sleep 100000`);
  writeFileSync(join(project, 'trail.yaml'), lines.join('\n') + '\n');
  const apps = Array.from({ length: n }, (_, i) => ({ name: `s${i}`, script: 'sleep', args: '100000', autorestart: false }));
  writeFileSync(join(project, 'ecosystem.config.json'), JSON.stringify({ apps }));
  const pm2 = new Pm2(w);
  try {
    await w.startDaemon();
    w.trail('new', 'many', '-d', '--dir', project);
    const settle = async (pid: number) => {
      await sleep(3000);
      return rssKiB(pid);
    };
    const before = await settle(w.daemonPid);
    w.trail('up', '--session', 'many');
    w.trail('svc', 'ls', '--session', 'many');
    const after = await settle(w.daemonPid);
    pm2.run('ping');
    const pBefore = await settle(pm2.daemonPid);
    pm2.run('start', join(project, 'ecosystem.config.json'));
    pm2.run('ls');
    const pAfter = await settle(pm2.daemonPid);
    const per = (a: number, b: number) => (a - b) / n;
    out.push(`memory per supervised service: ${n} services (sleep), daemon RSS before and after, settled 3 s`);
    out.push(`  trail daemon: ${(before / 1024).toFixed(1)} → ${(after / 1024).toFixed(1)} MiB: ${per(after, before).toFixed(0)} KiB per service`);
    out.push(`  pm2 ${pm2.version} daemon: ${(pBefore / 1024).toFixed(1)} → ${(pAfter / 1024).toFixed(1)} MiB: ${per(pAfter, pBefore).toFixed(0)} KiB per process`);
    out.push(`  trail / pm2 per service: ${ratio(Math.max(1, per(after, before)), Math.max(1, per(pAfter, pBefore)))} (lower is better)`);
    w.trail('down', '--session', 'many');
  } finally {
    pm2.kill();
    w.stop();
  }
  return out;
}

/**
 * Benchmark 5: search over `gb` GB of service output, ingested through the
 * real store (chunks, trigram index); ripgrep over the same text in the same run.
 */
export async function serviceSearch(gb: number): Promise<string[]> {
  const w = new World();
  const out: string[] = [];
  const r = rng(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const paths = Array.from({ length: 500 }, () => `/api/${pick(['items', 'users', 'orders', 'search', 'carts', 'auth'])}/${Math.floor(r() * 100000)}`);
  const levels = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
  const services = ['api', 'worker', 'web', 'db', 'queue'];
  try {
    const dbFile = join(w.dir, 'trail.db');
    const rawFile = join(w.dir, 'raw.txt');
    const db = openDb(dbFile);
    const store = new ServiceStore(db);
    const rawFd = openSync(rawFile, 'w');
    const needles: string[] = [];
    let bytes = 0;
    let lines = 0;
    let at = Date.now() - 86_400_000;
    const t0 = performance.now();
    while (bytes < gb * 1e9) {
      const chunks: LogChunk[] = [];
      const rawParts: string[] = [];
      for (const service of services) {
        const ls: string[] = [];
        for (let k = 0; k < 2000; k++) {
          at += 5;
          ls.push(`${new Date(at).toISOString()} ${pick(levels)} ${pick(['GET', 'POST', 'PUT'])} ${pick(paths)} ${pick([200, 200, 201, 404, 500])} ${Math.floor(r() * 900)}ms req=${hex(8)} user=${Math.floor(r() * 5000)}`);
          if (++lines % 200_000 === 7) {
            const needle = `ERRCODE-${lines.toString(36)}-${hex(6)}`;
            needles.push(needle);
            ls.push(`${new Date(at).toISOString()} ERROR ${needle} while talking to the payment gateway`);
          }
        }
        const text = ls.join('\n');
        bytes += text.length + 1;
        rawParts.push(text, '\n');
        chunks.push({ session_id: 's1', service, stream: 'out', at, end_at: at, lines: ls.length, text, raw: null });
      }
      store.addChunks(chunks);
      writeSync(rawFd, rawParts.join(''));
    }
    closeSync(rawFd);
    const ingestS = (performance.now() - t0) / 1000;
    db.pragma('wal_checkpoint(TRUNCATE)');
    // Service output is in the logs file (migration 12): both files count (the checkpoint above was of both).
    const size = statSync(dbFile).size + statSync(logsFileOf(dbFile)).size;
    out.push(`service log search: ${(bytes / 1e9).toFixed(2)} GB of service output (${lines.toLocaleString('en')} lines, 5 services), through the real store`);
    out.push(`  ingest ${(bytes / 1e6 / ingestS).toFixed(1)} MB/s (${ingestS.toFixed(0)} s, one thread); database ${(size / 1e9).toFixed(2)} GB = ${ratio(size, bytes)} the text`);
    const time = (f: () => unknown) => {
      const t = performance.now();
      f();
      return performance.now() - t;
    };
    const rare = needles.slice(0, 50).map((n) => time(() => searchLogs(db, n, { limit: 20 })));
    const common = Array.from({ length: 100 }, () => pick(paths)).map((q) => time(() => searchLogs(db, q, { limit: 20 })));
    const bySvc = needles.slice(0, 50).map((n) => time(() => searchLogs(db, n, { limit: 20, service: 'worker' })));
    const none = Array.from({ length: 20 }, () => `nothing-like-${hex(8)}`).map((q) => time(() => searchLogs(db, q, { limit: 20 })));
    for (const xs of [rare, common, bySvc, none]) xs.sort((a, b) => a - b);
    const line = (what: string, xs: number[]) => `  ${what.padEnd(44)} p50 ${pct(xs, 50).toFixed(1)} ms  p95 ${pct(xs, 95).toFixed(1)} ms`;
    out.push(line(`rare error ids (${rare.length})`, rare) + '  (goal p95 ≤ 100 ms)');
    out.push(line(`common paths, newest 20 (${common.length})`, common));
    out.push(line(`rare ids, --svc worker (${bySvc.length})`, bySvc));
    out.push(line(`texts found nowhere (${none.length})`, none));
    const rg = (q: string) => timeRg(q, rawFile);
    rg('warmup');
    const rgMs = [...needles.slice(0, 5), pick(paths)].map(rg).sort((a, b) => a - b);
    out.push(`  rg -F over the same text (${rgMs.length} queries): p50 ${pct(rgMs, 50).toFixed(1)} ms; trail rare-id p95 / rg p50: ${ratio(pct(rare, 95), pct(rgMs, 50))} (lower is better)`);
    db.close();
  } finally {
    w.stop();
  }
  return out;
}

/**
 * How soon a line a service prints is shown by `trail svc logs -f`, against
 * `tail -F` of a file the same command appends to (how pm2's log file is
 * followed), in the same run. The service prints its clock (ns) every 100 ms.
 */
export async function followLatency(lines: number): Promise<string[]> {
  const w = new World();
  const project = join(w.userHome, 'follow');
  mkdirSync(project, { recursive: true });
  const clockLoop = 'while :; do date +%s%N; sleep 0.1; done';
  writeFileSync(join(project, 'trail.yaml'), `services:\n  clock:\n    command: ${JSON.stringify(clockLoop)}\n`);
  /** Milliseconds from each line's clock to its arrival on `cmd`'s stdout, after the first `skip` lines. */
  const follow = (cmd: string, args: string[], skip: number) =>
    new Promise<number[]>((resolve, reject) => {
      const p = spawn(cmd, args, { env: w.env, stdio: ['ignore', 'pipe', 'inherit'] });
      const got: number[] = [];
      let seen = 0;
      let rest = '';
      p.stdout.on('data', (b: Buffer) => {
        const now = performance.timeOrigin + performance.now();
        const parts = (rest + b.toString()).split('\n');
        rest = parts.pop()!;
        for (const l of parts) {
          const ns = /(\d{19})\s*$/.exec(l)?.[1];
          if (!ns || seen++ < skip) continue;
          got.push(now - Number(ns) / 1e6);
          if (got.length === lines) p.kill();
        }
      });
      p.on('exit', () => (got.length >= lines ? resolve(got) : reject(new Error(`${cmd} ended after ${got.length} line(s)`))));
    });
  try {
    await w.startDaemon();
    w.trail('new', 'follow', '-d', '--dir', project);
    w.trail('up', '--session', 'follow');
    const byTrail = (await follow(process.execPath, [BIN, 'svc', 'logs', 'clock', '--session', 'follow', '-f', '-n', '1'], 1)).sort((a, b) => a - b);
    w.trail('down', '--session', 'follow');
    const file = join(project, 'clock.log');
    const writer = spawn('/bin/sh', ['-c', `${clockLoop} >> ${file}`], { stdio: 'ignore', detached: true });
    let byTail: number[];
    try {
      await sleep(300);
      byTail = (await follow('tail', ['-F', '-n', '0', file], 0)).sort((a, b) => a - b);
    } finally {
      process.kill(-writer.pid!, 'SIGKILL');
    }
    const row = (name: string, xs: number[]) => `  ${name}  p50 ${pct(xs, 50).toFixed(1)} ms   p99 ${pct(xs, 99).toFixed(1)} ms   (${xs.length} lines)`;
    return [
      `following a service's output: a line printed every 100 ms, from its clock to the follower's stdout`,
      row('trail svc logs -f', byTrail),
      row('tail -F of a file', byTail),
      `  trail / tail -F: p50 ${ratio(pct(byTrail, 50), pct(byTail, 50))}`,
    ];
  } finally {
    w.stop();
  }
}
