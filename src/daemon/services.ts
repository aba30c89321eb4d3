// The session's services, supervised: started in dependency order (a
// dependent waits for its dependency's condition: started, ready, completed),
// each in its own process group so that stopping it leaves no grandchild
// behind, restarted by its policy with exponential backoff until it gives up
// (and says why), its output kept in the store line by line (redacted), and
// every change of state an event of the trail. A daemon that follows a killed
// one stops what is left of the earlier services first.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Terminal } from './terminal.js';
import type { CommandSink } from './recorder.js';
import { closeSync, existsSync, readFileSync, watch as fsWatch, type FSWatcher } from 'node:fs';
import type { Readable } from 'node:stream';
import net from 'node:net';
import { basename, resolve } from 'node:path';
import { redact, type SecretPattern } from '../common/redact.js';
import { stripAnsi } from '../common/ansi.js';
import type { ServiceEventKind } from '../common/service-events.js';
import type { ServiceStore } from '../store/services.js';
import { CONTROLS } from './log-chunk.js';
import type { LogWriter } from './log-writer.js';
import type { EventBus, EventOf } from './events.js';
import type { StoreHealth } from './store-health.js';
import { loadServices, startOrder, type ServiceFile, type ServiceSpec } from './service-config.js';
import { groupPorts, portHolder } from '../platform/ports.js';
import { lineage, signalName } from '../platform/proc.js';
import { bigPipe, spawnWatched } from '../platform/relay.js';

export type ServiceState = 'stopped' | 'waiting' | 'starting' | 'running' | 'ready' | 'restarting' | 'exited' | 'gave up' | 'failed' | 'stopping';

export type ServiceInfo = {
  name: string;
  command: string;
  state: ServiceState;
  pid: number | null;
  startedAt: number | null;
  readyAt: number | null;
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: number } | null;
  /** Why it is not running, when it failed or gave up. */
  reason: string | null;
  /** The TCP ports its processes listen on. */
  ports: number[];
  tty: boolean;
  probe: 'port' | 'http' | 'log' | 'exec' | null;
};

/**
 * A running service: a child with pipes, or (tty: true) a program in a
 * terminal of its own that a person can attach to. Emits 'exit' (code, signal name),
 * then 'ended' (the same) once what it wrote has been read.
 */
type Child = EventEmitter & { pid?: number; terminal?: Terminal };

type Proc = Omit<ServiceInfo, 'ports' | 'tty' | 'probe'> & { spec: ServiceSpec; child: Child | null; runId: number | null; timer: NodeJS.Timeout | null; tail: string; wanted: boolean };

export type ServiceDeps = {
  store: ServiceStore;
  events: EventBus;
  health: StoreHealth;
  secrets: SecretPattern[];
  env: Record<string, string>;
  log: (line: string) => void;
  /** Writes services' output on a thread of its own (its throttle pauses their pipes while it is behind). */
  writer: LogWriter;
  /** Where tty services' terminals keep their files, and the scrollback they keep. */
  tty: { runDir: string; scrollback: number; shell: string };
};

/** A tty service's terminal runs no shell of trail's: nothing in it is a command of the trail. */
const NO_COMMANDS: CommandSink = { started: () => null, ended: () => {}, screen: () => {}, batch: (fn) => fn() };
/** The size of a tty service's terminal until someone attaches (then it is theirs). */
const TTY_SIZE = { cols: 120, rows: 32 };

/** What is kept of a service's last output, for the reason it gave up. */
const TAIL_CHARS = 2000;
/** A chunk is closed at this size (or at a change of stream, or a flush). */
const CHUNK_BYTES = 256 * 1024;
/** Gathered output written at once past this size, without waiting for the timer. */
const FLUSH_BYTES = 256 * 1024;
/** A line this long without its end is kept as it is. */
const MAX_PARTIAL = 64 * 1024;

/** Lines of one stream of a service, gathered until the next flush: whole lines, '\n' between, copied into `buf` up to `used`. */
type Gathered = { service: string; stream: 'out' | 'err'; at: number; end_at: number; buf: Buffer; used: number; lines: number };
/** What a service's output pipe holds (Linux's default is 64 KiB; it allows up to 1 MiB unless told otherwise). */
const PIPE_BYTES = 1024 * 1024;
/** What one read of a service's pipe takes at most (into one buffer, read again and again). */
const READ_BYTES = 256 * 1024;
/** How long a pipe is left to fill after a read that found little (at most this much later its lines are gathered). */
const REST_MS = 2;

/** Where the last whole UTF-8 character of b ends (a character cut by a read is left for the next). */
function wholeChars(b: Buffer): number {
  let s = b.length - 1;
  for (let k = 0; s >= 0 && k < 3 && (b[s] & 0xc0) === 0x80; k++) s--;
  if (s < 0) return b.length;
  const lead = b[s];
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return s + need <= b.length ? b.length : s;
}

/**
 * Where a line too long to wait for is cut: after its last space or tab (a
 * secret and its keyword stay in one piece, where redaction finds them),
 * else where the last whole character ends.
 */
function cutLong(b: Buffer): number {
  const at = Math.max(b.lastIndexOf(0x20), b.lastIndexOf(0x09));
  return at > 0 ? at + 1 : wholeChars(b);
}

/**
 * What a stream gives, as whole lines: each read's bytes up to its last
 * '\n' (which is cut off) go to `take`, the rest waits for the next read. A
 * line held back without end (a progress bar) is still kept once it is long.
 */
export function wholeLines(take: (b: Buffer) => void): { push(b: Buffer): void; end(): void } {
  let partial: Buffer | null = null;
  return {
    push(b) {
      const end = b.lastIndexOf(10);
      if (end < 0) {
        const data = partial ? Buffer.concat([partial, b]) : b;
        const cut = data.length > MAX_PARTIAL ? cutLong(data) : 0;
        partial = cut < data.length ? Buffer.from(data.subarray(cut)) : null;
        if (cut) take(data.subarray(0, cut));
        return;
      }
      // Only the line the last read began is put together: the rest is taken where it lies.
      if (partial) {
        const first = b.indexOf(10);
        take(Buffer.concat([partial, b.subarray(0, first)]));
        if (first < end) take(b.subarray(first + 1, end));
      } else take(b.subarray(0, end));
      partial = end + 1 < b.length ? Buffer.from(b.subarray(end + 1)) : null;
    },
    end() {
      if (partial?.length) take(partial);
      partial = null;
    },
  };
}

/** The end of some output as text, at most `max` bytes of it, from where a character starts. */
function tailText(b: Buffer, max: number): string {
  let from = Math.max(0, b.length - max);
  while (from < b.length && (b[from] & 0xc0) === 0x80) from++;
  return b.toString('utf8', from);
}
const FLUSH_MS = 100;
const FLUSH_FOLLOWED_MS = 1;
/** How old an answer to whether a service's port is taken may be when it starts. */
const EARLY_PORT_MS = 1000;
/** How long a service's end waits for its pipes to end (a process outside its group may hold them open). */
const DRAIN_MS = 500;


/**
 * Whether a program's last output says it could not listen because the
 * address is in use, as Node, Go, Python, Ruby, Vite and others say it
 * ("EADDRINUSE … :3000", "bind: address already in use", "Port 5173 is in
 * use"), and the port if it names one (Python's does not).
 */
export function addressInUse(tail: string): { port: number | null } | null {
  for (const line of tail.split('\n').reverse()) {
    const l = stripAnsi(line);
    if (!/EADDRINUSE|address already in use|address in use|port \d+ is (?:already )?in use|port is already allocated/i.test(l)) continue;
    const ports = [...l.matchAll(/(?:\bport\W{0,3}|:)(\d{2,5})\b/gi)].map((m) => Number(m[1])).filter((n) => n > 0 && n < 65536);
    return { port: ports.length ? ports[ports.length - 1] : null };
  }
  return null;
}

/**
 * The port it could not have, and who holds it: the one it names, else a
 * number of its command or $PORT that something listens on. A holder in the
 * service's own session (what it left, being killed) is not another's.
 */
function takenBy(p: Proc, own: number): { port: number; holder: { pid: number | null; command: string } } | null {
  const inUse = addressInUse(p.tail);
  if (!inUse) return null;
  const guesses = inUse.port !== null ? [inUse.port] : [...p.spec.command.matchAll(/\b\d{2,5}\b/g), ...(p.spec.env.PORT ? [[p.spec.env.PORT]] : [])].map((m) => Number(m[0]));
  for (const port of guesses) {
    if (!(port > 0 && port < 65536)) continue;
    const holder = portHolder(port);
    if (holder && (holder.pid === null || lineage(holder.pid).sessions[0] !== own)) return { port, holder };
  }
  return null;
}


/** The services of one session. */
export class SessionServices {
  private procs = new Map<string, Proc>();
  private file: ServiceFile | null = null;
  private waiters: (() => void)[] = [];
  /** Chunks of output not yet written, in the order they were opened; the open one per service. */
  private pending: Gathered[] = [];
  private open = new Map<string, Gathered>();
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;

  constructor(
    readonly session: { id: string; name: string; dir: string },
    private deps: ServiceDeps,
  ) {}

  /** Reads the session's service file again (throws ServiceConfigError, keeping what runs as it is). */
  load(): ServiceFile | null {
    const f = loadServices(this.session.dir);
    this.file = f;
    // Services no longer declared (removed, or another file now) are forgotten once they do not run.
    const declared = new Set((f?.services ?? []).map((x) => x.name));
    for (const [name, p] of this.procs) if (!declared.has(name) && !p.child && !p.timer) this.procs.delete(name);
    for (const s of f?.services ?? []) {
      const p = this.procs.get(s.name);
      // A running service keeps the definition it was started with until a reload restarts it.
      if (p && !p.child && !p.timer) Object.assign(p, { spec: s, command: s.command });
      else if (p) continue;
      else
        this.procs.set(s.name, {
          name: s.name, command: s.command, state: 'stopped', pid: null, startedAt: null, readyAt: null, restarts: 0, lastExit: null, reason: null,
          spec: s, child: null, runId: null, timer: null, tail: '', wanted: false,
        });
    }
    return f;
  }

  get source(): ServiceFile | null {
    return this.file;
  }

  /**
   * Reads the file again and restarts only the running services whose
   * definition changed; services no longer declared are stopped. A file that
   * is not right throws, and everything runs on as it was.
   */
  async reload(by = 'a reload'): Promise<{ restarted: string[]; removed: string[] }> {
    const running = new Map([...this.procs].filter(([, p]) => p.child || p.timer).map(([n, p]) => [n, JSON.stringify(p.spec)]));
    const f = loadServices(this.session.dir); // throws before anything changes
    const declared = new Map((f?.services ?? []).map((s) => [s.name, s]));
    const removed = [...running.keys()].filter((n) => !declared.has(n));
    const changed = [...running].filter(([n, spec]) => declared.has(n) && JSON.stringify(declared.get(n)) !== spec).map(([n]) => n);
    for (const n of [...removed, ...changed]) {
      const p = this.procs.get(n)!;
      p.wanted = false;
      if (p.timer) clearTimeout(p.timer);
      p.timer = null;
      if (p.child) await this.stopProc(p, by);
      else this.set(p, 'stopped');
    }
    for (const n of removed) this.procs.delete(n);
    this.load();
    if (changed.length) this.up(changed);
    return { restarted: changed, removed };
  }

  /** Watches the service file: an edit is a reload (debounced); a broken edit is logged and changes nothing. */
  watch(): void {
    if (this.watcher || !this.file) return;
    try {
      const file = this.file.file;
      let timer: NodeJS.Timeout | null = null;
      this.watcher = fsWatch(this.session.dir, (_event, name) => {
        if (name !== basename(file)) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          this.reload('an edit of ' + basename(file)).then(
            (r) => r.restarted.length + r.removed.length && this.deps.log(`${this.session.name}: ${basename(file)} changed: restarted ${r.restarted.join(', ') || 'none'}, stopped ${r.removed.join(', ') || 'none'}`),
            (e) => this.deps.log(`${this.session.name}: ${basename(file)} changed but is not right, services run on as they were: ${(e as Error).message}`),
          );
        }, 300);
      });
      this.watcher.unref();
    } catch {
      /* the directory cannot be watched: trail svc reload still works */
    }
  }

  unwatch(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  /** withPorts: look up the ports in /proc (one pass over every process; a poll need not pay it). */
  list(withPorts = true): ServiceInfo[] {
    const procs = [...this.procs.values()];
    // What each listens on: every process of its group, from one pass over /proc.
    const ports = groupPorts(withPorts ? procs.map((p) => p.pid).filter((p): p is number => p !== null) : []);
    return procs.map(({ name, command, state, pid, startedAt, readyAt, restarts, lastExit, reason, spec }) => ({
      name, command, state, pid, startedAt, readyAt, restarts, lastExit, reason,
      ports: pid !== null ? (ports.get(pid) ?? []) : [],
      tty: spec.tty,
      probe: probeKind(spec.ready),
    }));
  }

  /** Starts these services (all with autostart, when none are named) and what they depend on, in order. */
  up(names?: string[]): string[] {
    const f = this.load();
    if (!f) return [];
    const byName = new Map(f.services.map((s) => [s.name, s]));
    const want = new Set<string>();
    const add = (n: string) => {
      if (want.has(n)) return;
      want.add(n);
      for (const d of Object.keys(byName.get(n)!.depends_on)) add(d);
    };
    for (const n of names?.length ? names : f.services.filter((s) => s.autostart).map((s) => s.name)) add(n);
    const order = startOrder(f.services).filter((s) => want.has(s.name));
    this.watch();
    for (const s of order) {
      const p = this.procs.get(s.name)!;
      if (p.wanted && p.state !== 'exited' && p.state !== 'gave up' && p.state !== 'failed' && p.state !== 'stopped') continue;
      p.wanted = true;
      p.restarts = 0;
      p.reason = null;
      void this.runWhenReady(p);
    }
    return order.map((s) => s.name);
  }

  /** Stops these services (all, when none are named), dependents first. */
  async down(names?: string[], by = 'trail down'): Promise<string[]> {
    const all = startOrder(this.file?.services ?? []).reverse();
    const chosen = all.filter((s) => !names?.length || names.includes(s.name));
    const stopped: string[] = [];
    for (const s of chosen) {
      const p = this.procs.get(s.name);
      if (!p) continue;
      p.wanted = false;
      if (p.timer) clearTimeout(p.timer);
      p.timer = null;
      if (p.child) {
        await this.stopProc(p, by);
        stopped.push(p.name);
      } else if (p.state !== 'stopped') this.set(p, 'stopped');
    }
    return stopped;
  }

  killAll(): void {
    for (const p of this.procs.values()) if (p.child?.pid) killGroup(p.child.pid, 'SIGKILL');
    this.flush();
  }

  /** A service's dependency conditions, met now? (null: never will be, with why.) */
  private depsMet(p: Proc): boolean | string {
    for (const [dep, { condition }] of Object.entries(p.spec.depends_on)) {
      const d = this.procs.get(dep);
      if (!d) return `no service named ${dep}`;
      if (d.state === 'gave up' || d.state === 'failed') return `its dependency ${dep} ${d.state}`;
      // A dependency that has ended and will not run again can no longer meet a condition it has not met.
      const over = d.state === 'exited' || (d.state === 'stopped' && !d.wanted);
      const code = d.lastExit?.code ?? null;
      if (over && condition === 'completed_successfully' && code !== 0) return `its dependency ${dep} ${exitText(code, d.lastExit?.signal ?? null)}`;
      if (over && (condition === 'ready' || condition === 'started') && d.lastExit) return `its dependency ${dep} exited${code !== null ? ` with code ${code}` : ''} and is not restarted`;
      const ok =
        condition === 'started'
          ? d.state === 'running' || d.state === 'ready'
          : condition === 'ready'
            ? d.state === 'ready'
            : condition === 'completed'
              ? d.lastExit !== null && d.state !== 'running' && d.state !== 'ready'
              : d.lastExit?.code === 0 && d.state !== 'running' && d.state !== 'ready';
      if (!ok) return false;
    }
    return true;
  }

  private async runWhenReady(p: Proc): Promise<void> {
    this.set(p, 'waiting');
    // Whether its port answers already is asked while it waits for its dependencies: asked when they are
    // ready, it came between each service of a stack and the next (~1.5 ms each).
    const early = this.portAnswers(p);
    for (;;) {
      if (!p.wanted) return;
      const met = this.depsMet(p);
      if (met === true) break;
      if (typeof met === 'string') return this.fail(p, `not started: ${met}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
    await this.launch(p, early);
  }

  /** Whether something answers on the port the service is to listen on, and when that was asked. */
  private async portAnswers(p: Proc): Promise<{ at: number; answers: boolean }> {
    const port = p.spec.ready?.port;
    const at = Date.now();
    return { at, answers: port !== undefined && (await probeOnce({ ...p.spec.ready!, port, timeout: 1000 }, this.session.dir, this.deps.env)) };
  }

  /**
   * Starts a service unless the port it is to listen on is taken already,
   * which is said at once with who holds it. Whether anything answers on the
   * port is asked first, over loopback (well under a millisecond), or was
   * asked while it waited, if not long ago (what takes the port later makes
   * the service exit, and is said then); only then is /proc read for the
   * holder, since reading /proc/net/tcp costs ~3 ms a file on a busy host.
   */
  private async launch(p: Proc, early?: Promise<{ at: number; answers: boolean }>): Promise<void> {
    const port = p.spec.ready?.port;
    let asked = early ? await early : null;
    if (!asked || Date.now() - asked.at > EARLY_PORT_MS) asked = await this.portAnswers(p);
    if (port !== undefined && asked.answers) {
      if (!p.wanted) return;
      const holder = portHolder(port);
      if (holder) return this.fail(p, `port ${port} is taken by ${holder.pid !== null ? `pid ${holder.pid} (${holder.command.slice(0, 120)})` : holder.command}`);
    }
    if (p.wanted) this.start(p);
  }

  private start(p: Proc): void {
    const s = p.spec;
    const cwd = resolve(this.session.dir, s.cwd ?? '.');
    if (!existsSync(cwd)) return this.fail(p, `its directory ${cwd} does not exist`);
    let fileEnv: Record<string, string> = {};
    if (s.env_file) {
      const f = resolve(this.session.dir, s.env_file);
      if (!existsSync(f)) return this.fail(p, `its env_file ${f} does not exist`);
      fileEnv = parseEnvFile(readFileSync(f, 'utf8'));
    }
    this.set(p, 'starting');
    let child: Child;
    const env = { ...this.deps.env, ...fileEnv, ...s.env };
    const out = s.tty ? null : bigPipe(PIPE_BYTES);
    const err = out ? bigPipe(PIPE_BYTES) : null;
    if (out && !err) for (const fd of out) closeSync(fd);
    const pipes = out && err ? [out, err] : null;
    try {
      // detached: a session and process group of its own, so that a stop reaches every process it started.
      // (A PTY's program leads a session of its own too.)
      child = s.tty ? this.ttyChild(p, cwd, env) : shChild(s.command, { cwd, env, stdio: pipes ? [-1, pipes[0][1], pipes[1][1]] : null, newSession: true });
    } catch (e) {
      for (const fd of pipes?.flat() ?? []) closeSync(fd);
      return this.fail(p, `could not start: ${(e as Error).message}`);
    }
    // The write ends are the program's now.
    for (const [, w] of pipes ?? []) closeSync(w);
    p.child = child;
    child.on('error', (e) => this.fail(p, `could not start: ${e.message}`));
    if (child.pid === undefined) return;
    const now = Date.now();
    // Its last lines are this run's: a reason names what the run that failed said, not the runs before it too.
    Object.assign(p, { pid: child.pid, startedAt: now, readyAt: null, tail: '' });
    p.runId = this.deps.health.attempt('a service run', () =>
      this.deps.store.runStarted({ session_id: this.session.id, service: p.name, pid: child.pid!, proc_start: procStart(child.pid!), started_at: now }),
    );
    const drained = s.tty ? null : Promise.all([this.lines(p, child, 'out', pipes?.[0][0] ?? null), this.lines(p, child, 'err', pipes?.[1][0] ?? null)]);
    this.emit('service.started', { service: p.name, pid: child.pid, restarts: p.restarts });
    this.set(p, 'running');
    if (!s.ready) this.ready(p);
    else if (s.ready.log === undefined) void this.probe(p, child);
    child.on('exit', (code, signal) => {
      // Its exit can be heard before the last of its output is read (the line it said just before exit 1):
      // whatever it left in its process group goes with it, and its end is told once its pipes have ended,
      // or after DRAIN_MS if a process outside the group holds them.
      killGroup(child.pid!, 'SIGKILL');
      if (!drained) return child.emit('ended', code, signal);
      let timer: NodeJS.Timeout | undefined;
      void Promise.race([drained, new Promise((r) => (timer = setTimeout(r, DRAIN_MS)))]).then(() => {
        clearTimeout(timer);
        child.emit('ended', code, signal);
      });
    });
    child.on('ended', (code, signal) => this.exited(p, child, code, signal));
  }

  /** A tty service: its program in a PTY; what it shows becomes its log, line by line. */
  private ttyChild(p: Proc, cwd: string, env: Record<string, string>): Child {
    const child: Child = new EventEmitter();
    const id = `svc-${this.session.id.slice(0, 8)}-${p.name}`;
    const logRe = p.spec.ready?.log !== undefined ? new RegExp(p.spec.ready.log) : null;
    const feed = wholeLines((b) => this.take(p, 'out', b, logRe, child));
    const term = new Terminal({
      id,
      index: -1,
      sessionId: this.session.id,
      sessionName: this.session.name,
      cwd,
      command: ['/bin/sh', '-c', p.spec.command],
      shell: this.deps.tty.shell,
      env,
      ...TTY_SIZE,
      scrollback: this.deps.tty.scrollback,
      tmpFile: join(this.deps.tty.runDir, id),
      sink: NO_COMMANDS,
      log: this.deps.log,
      onOutput: (buf) => feed.push(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)),
      onExit: (t, code, signal) => {
        feed.end();
        t.notifyExit(0);
        child.emit('exit', code, signal ? signalName(signal) : null);
      },
    });
    child.pid = term.pid;
    child.terminal = term;
    return child;
  }

  /** The terminal of a tty service that runs now, for `trail svc attach`. */
  terminal(name: string): Terminal {
    const p = this.procs.get(name);
    if (!p) throw new Error(`no service named ${name}`);
    const t = p.child?.terminal;
    if (!t || t.exited) {
      if (!p.spec.tty) throw new ServiceAttachError(`${name} has no terminal to attach to: add tty: true to it in ${this.file ? basename(this.file.file) : 'trail.yaml'} (its output is in trail svc logs ${name})`);
      throw new ServiceAttachError(`${name} is not running (${p.state}${p.reason ? `: ${p.reason}` : ''}); trail svc start ${name}`);
    }
    return t;
  }

  /**
   * Reads a stream of a service's output into its log, as bytes (most output is stored as
   * it came, log-chunk.ts, decoded by no one). From a pipe of trail's own
   * (`fd`) it is read into one buffer again and again, and the pipe holds
   * 1 MiB: a flood makes no garbage per read, and goes on writing while
   * this daemon's loop is busy elsewhere. Resolves when the stream has ended.
   */
  private lines(p: Proc, child: Child, stream: 'out' | 'err', fd: number | null): Promise<void> {
    const logRe = p.spec.ready?.log !== undefined ? new RegExp(p.spec.ready.log) : null;
    const feed = wholeLines((b) => this.take(p, stream, b, logRe, child));
    let src: Readable | null;
    if (fd !== null) {
      const throttle = this.deps.writer.throttle;
      let resting = false;
      const onread = {
        buffer: Buffer.allocUnsafe(READ_BYTES),
        callback: (n: number, buf: Uint8Array) => {
          feed.push(Buffer.from(buf.buffer, buf.byteOffset, n));
          // A read that found little: the pipe is left to fill for a moment. Read at every write,
          // a flood's 4 KiB writes woke this loop 30,000 times a second (a quarter of a core).
          if (n < READ_BYTES / 4 && !resting) {
            resting = true;
            sock.pause();
            setTimeout(() => {
              resting = false;
              if (!throttle.holding) sock.resume();
            }, REST_MS);
          }
        },
      };
      const sock = new net.Socket({ fd, readable: true, writable: false, onread } as net.SocketConstructorOpts);
      sock.on('error', () => {});
      src = sock;
    } else {
      src = stream === 'out' ? (child as ChildProcess).stdout : (child as ChildProcess).stderr;
      src?.on('data', (b: Buffer) => feed.push(b));
    }
    if (!src) return Promise.resolve();
    const s = src;
    this.deps.writer.throttle.add(s);
    return new Promise((resolveEnd) => {
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        this.deps.writer.throttle.delete(s);
        feed.end();
        resolveEnd();
      };
      s.on('end', end);
      s.on('close', end); // a read that failed ends it too
    });
  }

  /**
   * Complete lines of output ('\n' between, none at the end), as the service
   * wrote them: gathered into the open chunk of this service and stream,
   * sent to the writer at the next flush. Per line, only while the service
   * waits to be ready by a log line, the line is tested (and so decoded);
   * otherwise lines are handled a chunk at a time, never one by one.
   */
  private take(p: Proc, stream: 'out' | 'err', bytes: Buffer, logRe: RegExp | null, child: Child): void {
    const now = Date.now();
    let open = this.open.get(p.name);
    // A change of stream closes the chunk: stdout and stderr stay in the order they came.
    if (open && (open.stream !== stream || open.used >= CHUNK_BYTES)) open = undefined;
    if (!open) {
      open = { service: p.name, stream, at: now, end_at: now, buf: this.deps.writer.buffer(bytes.length), used: 0, lines: 0 };
      this.open.set(p.name, open);
      this.pending.push(open);
    }
    // Copied now: what a read gave is read into again.
    const sep = open.lines > 0 ? 1 : 0;
    if (open.used + sep + bytes.length > open.buf.length) {
      const bigger = this.deps.writer.buffer(Math.max(open.buf.length * 2, open.used + sep + bytes.length));
      open.buf.copy(bigger, 0, 0, open.used);
      open.buf = bigger;
    }
    if (sep) open.buf[open.used++] = 10;
    open.used += bytes.copy(open.buf, open.used);
    open.lines++;
    open.end_at = now;
    this.pendingBytes += bytes.length + 1;
    // The last lines, for a reason to give when it gives up (redacted when used).
    p.tail = (p.tail + '\n' + tailText(bytes, TAIL_CHARS)).slice(-TAIL_CHARS);
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    // While someone follows output (svc logs -f), it goes at once: a line shows ~5 ms after it was written, not ~100.
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), this.deps.events.heard('service.output') ? FLUSH_FOLLOWED_MS : FLUSH_MS);
    if (logRe && p.child === child && p.state === 'running' && bytes.toString('utf8').split('\n').some((l) => logRe.test(CONTROLS.test(l) ? stripAnsi(l) : l))) this.ready(p);
  }

  /** The service's last output lines as a person saw them, redacted. */
  private tailLines(p: Proc, n: number): string[] {
    const lines = p.tail.split('\n').map((l) => (CONTROLS.test(l) ? stripAnsi(l) : l)).filter((l) => l.trim() !== '');
    return redact(lines.slice(-n).join('\n'), this.deps.secrets).split('\n');
  }

  /** Sends the chunks gathered since the last flush to the log writer, to be written in one transaction. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.pending.length) return;
    const gathered = this.pending;
    this.pending = [];
    this.open.clear();
    this.pendingBytes = 0;
    this.deps.writer.write(this.session.id, gathered.map(({ buf, used, lines: _, ...meta }) => ({ ...meta, data: buf.subarray(0, used) })));
  }

  private async probe(p: Proc, child: Child): Promise<void> {
    const r = p.spec.ready!;
    // Looked at soon, then less often up to the period (25 ms, doubling): a server that listens in 50 ms is
    // ready (and its dependents start) in ~50 ms, not a period later. Docker's start_interval is the same idea.
    for (let wait = Math.min(25, r.period); p.child === child && p.state === 'running'; wait = Math.min(wait * 2, r.period)) {
      if (await probeOnce(r, this.session.dir, this.deps.env)) {
        if (p.child === child && p.state === 'running') this.ready(p);
        return;
      }
      await new Promise((res) => setTimeout(res, wait));
    }
  }

  private ready(p: Proc): void {
    p.readyAt = Date.now();
    this.emit('service.ready', { service: p.name, afterMs: p.readyAt - (p.startedAt ?? p.readyAt), probe: p.spec.ready !== undefined });
    this.set(p, 'ready');
    if (p.spec.liveness && p.child) void this.live(p, p.child);
  }

  /**
   * The liveness probe, once ready: after failure_threshold failures in a row
   * the service is killed, and its restart policy brings it back.
   */
  private async live(p: Proc, child: Child): Promise<void> {
    const l = p.spec.liveness!;
    let failures = 0;
    while (p.child === child && p.state === 'ready') {
      await new Promise((res) => setTimeout(res, l.period));
      if (p.child !== child || p.state !== 'ready') return;
      const ok = l.log !== undefined ? true : await probeOnce(l, this.session.dir, this.deps.env);
      failures = ok ? 0 : failures + 1;
      if (failures >= l.failure_threshold) {
        p.reason = `its liveness probe failed ${failures} times in a row`;
        this.deps.log(`${this.session.name}/${p.name}: ${p.reason}; killing it`);
        killGroup(child.pid!, 'SIGKILL');
        return;
      }
    }
  }

  private exited(p: Proc, child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    if (p.child !== child) return;
    this.flush();
    const now = Date.now();
    if (p.runId !== null) this.deps.health.attempt('a service run', () => this.deps.store.runEnded(p.runId!, now, code));
    Object.assign(p, { child: null, pid: null, runId: null, lastExit: { code, signal, at: now } });
    if (p.state === 'stopping') {
      this.set(p, 'stopped');
      return;
    }
    this.emit('service.exited', { service: p.name, code, signal });
    const failed = code !== 0;
    // A port it did not declare, taken by another process: said with who holds it, and not tried again and again.
    const taken = failed && p.wanted ? takenBy(p, child.pid!) : null;
    if (taken) {
      const { port, holder } = taken;
      return this.fail(p, `port ${port} is taken by ${holder.pid !== null ? `pid ${holder.pid} (${holder.command.slice(0, 120)})` : holder.command}; it ${exitText(code, signal)}`);
    }
    const policy = p.spec.restart;
    if (p.wanted && (policy === 'always' || (policy === 'on-failure' && failed))) {
      if (p.restarts >= p.spec.max_restarts) {
        const last = this.tailLines(p, 5);
        p.reason = `${exitText(code, signal)} after ${p.restarts} restart(s)${last.length ? `; last output: ${last.slice(-3).join(' | ')}` : ''}`;
        this.emit('service.gave_up', { service: p.name, code, restarts: p.restarts, lastLines: last });
        this.set(p, 'gave up');
        return;
      }
      const inMs = Math.min(p.spec.backoff.initial * 2 ** p.restarts, p.spec.backoff.max);
      p.restarts++;
      this.emit('service.restarting', { service: p.name, inMs, restarts: p.restarts });
      this.set(p, 'restarting');
      p.timer = setTimeout(() => {
        p.timer = null;
        if (p.wanted && p.state === 'restarting') void this.launch(p);
      }, inMs);
      return;
    }
    p.reason = failed ? exitText(code, signal) : null;
    this.set(p, 'exited');
  }

  private stopProc(p: Proc, by: string): Promise<void> {
    const child = p.child!;
    return new Promise<void>((resolveStop) => {
      this.set(p, 'stopping');
      child.once('ended', () => {
        clearTimeout(hard);
        this.emit('service.stopped', { service: p.name, by });
        resolveStop();
      });
      killGroup(child.pid!, p.spec.stop.signal);
      const hard = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), p.spec.stop.grace);
    });
  }

  private fail(p: Proc, reason: string): void {
    p.reason = reason;
    this.emit('service.failed', { service: p.name, reason });
    this.set(p, 'failed');
  }

  private set(p: Proc, state: ServiceState): void {
    p.state = state;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private emit<K extends Exclude<ServiceEventKind, 'service.orphans'>>(
    kind: K,
    data: EventOf<K>['data'],
  ): void {
    this.deps.events.emit({ kind, sessionId: this.session.id, terminalId: null, at: Date.now(), data } as EventOf<K>);
  }
}

/** Every session's services; also what a killed daemon left running. */
export class Services {
  private bySession = new Map<string, SessionServices>();

  constructor(private deps: ServiceDeps) {}

  of(session: { id: string; name: string; dir: string }): SessionServices {
    let s = this.bySession.get(session.id);
    if (!s) this.bySession.set(session.id, (s = new SessionServices(session, this.deps)));
    return s;
  }

  /** Stops every service (the daemon stops, or their session was killed), each session's dependents first. */
  async stopAll(sessionId?: string, by = 'the daemon'): Promise<void> {
    for (const [id, s] of this.bySession) if (!sessionId || id === sessionId) s.unwatch();
    await Promise.all([...this.bySession].filter(([id]) => !sessionId || id === sessionId).map(([, s]) => s.down(undefined, by)));
    for (const s of this.bySession.values()) s.flush();
  }

  /** Sends every session's gathered lines to the writer now. */
  flush(): void {
    for (const s of this.bySession.values()) s.flush();
  }

  /** Every session's gathered lines written (before a search or a read of the store). */
  async flushed(): Promise<void> {
    this.flush();
    await this.deps.writer.synced();
  }

  /** The daemon stops: what was gathered is written, and the writer closed. */
  async close(): Promise<void> {
    this.flush();
    await this.deps.writer.close();
  }

  /** A service's output lines (see ServiceStore.lines). */
  lines(sessionId: string, service: string, opts: Parameters<ServiceStore['lines']>[2]) {
    return this.deps.store.lines(sessionId, service, opts).map(({ id, at, stream, line, raw }) => ({ id, at, stream, line, raw }));
  }

  /** The last resort when the daemon leaves: every process group still there is killed. */
  killAll(): void {
    for (const s of this.bySession.values()) s.killAll();
  }

  /**
   * The runs an earlier daemon left open: a process still there with the same
   * start time is that service's, and its whole group is stopped. Every open
   * run is returned (reaped or not): its service was running when that daemon
   * died, so it is started again like one a clean stop left.
   */
  reapOrphans(): { service: string; pid: number; sessionId: string; reaped: boolean }[] {
    const open: { service: string; pid: number; sessionId: string; reaped: boolean }[] = [];
    for (const r of this.deps.store.openRuns()) {
      const reaped = r.proc_start !== null && procStart(r.pid) === r.proc_start;
      if (reaped) {
        killGroup(r.pid, 'SIGKILL');
        this.deps.events.emit({ kind: 'service.orphans', sessionId: r.session_id, terminalId: null, at: Date.now(), data: { service: r.service, pid: r.pid } });
      }
      open.push({ service: r.service, pid: r.pid, sessionId: r.session_id, reaped });
      this.deps.health.attempt('a service run', () => this.deps.store.runEnded(r.id, Date.now(), null));
    }
    return open;
  }
}

function probeKind(r: ServiceSpec['ready']): ServiceInfo['probe'] {
  if (!r) return null;
  return r.port !== undefined ? 'port' : r.http !== undefined ? 'http' : r.log !== undefined ? 'log' : 'exec';
}

/** How a run ended, as the trail says it. */
function exitText(code: number | null, signal: string | null): string {
  return code !== null ? `exited with code ${code}` : `ended by ${signal ?? 'a signal'}`;
}

/** Said when a service has no terminal to attach to now. */
export class ServiceAttachError extends Error {}


function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* nothing left in the group */
  }
}

/** The process's start time in clock ticks since boot (/proc/PID/stat field 22): with the pid, it names one process. */
function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * `sh -c COMMAND`, started by the relay's posix_spawn where there is one (a
 * stack starts many programs and a probe runs every few seconds: each fork
 * of the daemon stopped its loop for milliseconds), else by child_process.
 * stdio: the program's 0, 1 and 2 (-1: /dev/null), or null for
 * child_process's own pipes (no native module, so no pipes of trail's own).
 * newSession: a session and process group of its own. Throws if it cannot start.
 */
function shChild(command: string, o: { cwd: string; env: Record<string, string>; stdio: [number, number, number] | null; newSession: boolean }): Child {
  const { cwd, env, stdio, newSession } = o;
  if (stdio) {
    const child: Child = new EventEmitter();
    const pid = spawnWatched('/bin/sh', ['-c', command], { cwd, env, stdio, newSession }, (code, signal) => child.emit('exit', code, signal));
    if (pid !== null) return Object.assign(child, { pid });
  }
  return spawn('/bin/sh', ['-c', command], { cwd, env, detached: newSession, stdio: stdio ? stdio.map((fd) => (fd < 0 ? 'ignore' : fd)) : ['ignore', 'pipe', 'pipe'] });
}

/** One look at a ready probe: a port that accepts, a URL that answers with the status, a command that exits 0. */
async function probeOnce(r: NonNullable<ServiceSpec['ready']>, cwd: string, env: Record<string, string>): Promise<boolean> {
  if (r.port !== undefined)
    return new Promise((res) => {
      const s = net.connect({ host: '127.0.0.1', port: r.port! });
      // Closed with a reset: a closed connection would hold its own port for a minute (TIME_WAIT), and a
      // probe every few ms makes many; a service given one of those ports could not listen on it.
      const done = (ok: boolean) => (ok ? s.resetAndDestroy() : s.destroy(), res(ok));
      s.once('connect', () => done(true));
      s.once('error', () => done(false));
      s.setTimeout(r.timeout, () => done(false));
    });
  if (r.http !== undefined) {
    try {
      const resp = await fetch(r.http, { signal: AbortSignal.timeout(r.timeout) });
      return resp.status === r.status;
    } catch {
      return false;
    }
  }
  if (r.exec !== undefined)
    return new Promise((res) => {
      let c: Child;
      try {
        c = shChild(r.exec!, { cwd, env, stdio: [-1, -1, -1], newSession: false });
      } catch {
        return res(false);
      }
      const t = setTimeout(() => {
        try {
          process.kill(c.pid!, 'SIGKILL');
        } catch {
          /* it ended meanwhile */
        }
      }, r.timeout);
      c.on('exit', (code) => (clearTimeout(t), res(code === 0)));
      c.on('error', () => (clearTimeout(t), res(false)));
    });
  return false;
}

/** A .env file: KEY=value lines, # comments, optional quotes, optional `export`. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}
