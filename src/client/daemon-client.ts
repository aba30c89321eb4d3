// The CLI's connection to the daemon: starts it on demand, checks the protocol
// version, and makes calls. One clear line when any of that fails.
import net from 'node:net';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trailPaths, type Paths } from '../platform/paths.js';
import { readPid, running } from '../platform/pid-file.js';
import { FRAME_DATA, FrameDecoder, encodeJson, encodeHeader, type Frame } from '../wire/frames.js';
import { PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../wire/protocol.js';
// Types only: the client loads no zod (it costs ~80 ms of start-up).
import type { OpInput, OpName, OpOutput } from '../contract/ops.js';

export class ClientError extends Error {
  constructor(
    message: string,
    readonly code = 'error',
  ) {
    super(message);
  }
}

const DAEMON_MAIN = fileURLToPath(new URL('../server/main.js', import.meta.url));

export class DaemonClient {
  private decoder = new FrameDecoder();
  private nextId = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  onMessage: ((m: ServerMessage) => void) | null = null;
  /** The events a watch asked for. */
  onEvent: ((e: Extract<ServerMessage, { t: 'event' }>['event']) => void) | null = null;
  onData: ((b: Buffer) => void) | null = null;
  onClose: (() => void) | null = null;
  /** A hello sent without waiting for its answer (see connect's `wait`). */
  private unansweredHello = false;

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (c) => {
      let frames: Frame[];
      try {
        frames = this.decoder.push(c);
      } catch (e) {
        this.failAll(new ClientError(`the daemon sent a bad frame: ${(e as Error).message}`));
        sock.destroy();
        return;
      }
      // Terminal bytes from one socket read go out in one write: stdout on a
      // tty is synchronous, so fewer, larger writes keep the client fast.
      let data: Buffer[] = [];
      const flush = () => {
        if (data.length) this.onData?.(data.length === 1 ? data[0] : Buffer.concat(data));
        data = [];
      };
      for (const f of frames) {
        if (f.kind === FRAME_DATA) data.push(f.data);
        else {
          flush();
          this.dispatch(f.value as ServerMessage);
        }
      }
      flush();
    });
    sock.on('close', () => {
      this.failAll(new ClientError('the daemon closed the connection'));
      this.onClose?.();
    });
    sock.on('error', () => {});
  }

  private dispatch(m: ServerMessage): void {
    if (this.unansweredHello && m.t === 'hello') {
      this.unansweredHello = false;
      return;
    }
    if (m.t === 'result') {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.value);
      else w.reject(new ClientError(m.error.message, m.error.code));
      return;
    }
    if (m.t === 'event') {
      this.onEvent?.(m.event);
      return;
    }
    if (m.t === 'error' && this.waiting.size > 0 && !this.onMessage) {
      this.failAll(new ClientError(m.message, m.code));
      return;
    }
    this.onMessage?.(m);
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  send(m: ClientMessage): void {
    this.sock.write(encodeJson(m));
  }

  sendData(b: Buffer): void {
    this.sock.cork();
    this.sock.write(encodeHeader(FRAME_DATA, b.length));
    this.sock.write(b);
    this.sock.uncork();
  }

  /** One operation of the contract, by name: its input and result are typed by it (src/contract/ops.ts). */
  call<K extends OpName>(op: K, input: OpInput<K>): Promise<OpOutput<K>> {
    const id = this.nextId++;
    return new Promise<OpOutput<K>>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ t: 'call', id, op, input });
    });
  }

  close(): void {
    this.sock.end();
  }

  /**
   * Connects, starting the daemon first if none is running. With `wait: false`
   * the hello is sent and not waited for: the next message goes right behind
   * it (the daemon answers in order; a version mismatch then arrives as an
   * error message), which saves attaching a round trip.
   */
  static async connect(opts: { start?: boolean; client?: string; wait?: boolean } = {}): Promise<DaemonClient> {
    const paths = trailPaths();
    let sock = await tryConnect(paths.socket);
    if (!sock) {
      if (opts.start === false) throw new ClientError(`no daemon is running (socket ${paths.socket})`, 'not_running');
      sock = await startDaemon(paths);
    }
    const c = new DaemonClient(sock);
    if (opts.wait === false) {
      c.unansweredHello = true;
      c.send({ t: 'hello', version: PROTOCOL_VERSION, client: opts.client ?? 'cli' });
    } else await c.handshake(opts.client ?? 'cli');
    return c;
  }

  private handshake(client: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ClientError('the daemon did not answer hello within 5 s')), 5000);
      this.onMessage = (m) => {
        clearTimeout(timer);
        this.onMessage = null;
        if (m.t === 'hello') resolve();
        else if (m.t === 'error') reject(new ClientError(m.message, m.code));
        else reject(new ClientError(`unexpected first message from the daemon: ${m.t}`));
      };
      this.send({ t: 'hello', version: PROTOCOL_VERSION, client });
    });
  }
}

function tryConnect(path: string): Promise<net.Socket | null> {
  return new Promise((resolve, reject) => {
    if (!existsSync(path)) return resolve(null);
    const s = net.connect(path);
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EACCES')
        reject(new ClientError(`cannot reach ${path}: permission denied (another user's daemon?); set TRAIL_HOME to a directory of your own`));
      else resolve(null);
    });
  });
}

async function startDaemon(paths: Paths): Promise<net.Socket> {
  try {
    mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new ClientError(`cannot create the state dir ${paths.home}: ${(e as Error).message}; set TRAIL_HOME to a writable directory`);
  }
  let logStart = 0;
  let exited: number | null = null;
  let child: ReturnType<typeof spawn>;
  const launch = () => {
    logStart = existsSync(paths.log) ? statSync(paths.log).size : 0;
    let fd: number;
    try {
      fd = openSync(paths.log, 'a', 0o600);
    } catch (e) {
      throw new ClientError(`cannot write the daemon log ${paths.log}: ${(e as Error).message}; set TRAIL_HOME to a writable directory`);
    }
    child = spawn(process.execPath, [DAEMON_MAIN], { detached: true, stdio: ['ignore', fd, fd], env: process.env });
    closeSync(fd);
    exited = null;
    const self = child;
    child.on('exit', (code) => self === child && (exited = code ?? 1));
    child.unref();
  };
  launch();
  /** The daemon that holds the lock, when not ours: another CLI's, starting at the same moment, or one still stopping. */
  let holder: number | null = null;
  let relaunched = 0;
  let deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const s = await tryConnect(paths.socket);
    if (s) {
      // Another CLI's daemon may have answered before ours even tried the lock: ours is
      // then not needed, and must not start later (after that one stops) with nobody asking.
      if (exited === null && readPid(paths.lock) !== child!.pid) child!.kill('SIGTERM');
      return s;
    }
    if (exited !== null && holder === null) {
      const tail = readFileSync(paths.log, 'utf8').slice(logStart).trim().split('\n').filter((l) => l.startsWith('trail daemon:'));
      const why = tail.pop()?.replace(/^trail daemon: /, '');
      const other = why && /^already running \(pid (-?\d+)\)/.exec(why);
      if (other) holder = Number(other[1]);
      else throw new ClientError(`the daemon could not start: ${why ?? `exit code ${exited}; see ${paths.log}`}`);
    }
    // A daemon still stopping holds the lock until its store is closed (up to ~10 s), with no socket: once it is gone, ours starts.
    if (holder !== null && !(holder > 0 && running(holder)) && relaunched < 3) {
      holder = null;
      relaunched++;
      deadline = Date.now() + 10_000;
      launch();
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new ClientError(`the daemon did not come up within 10 s; see ${paths.log}`);
}

