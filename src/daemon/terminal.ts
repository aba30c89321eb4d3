// A terminal: one PTY, its screen mirror, its recorder and the clients that
// watch it. The PTY's bytes go to attached clients first; the mirror and the
// recorder come after and never make the shell wait except through bounded
// backpressure (the PTY is paused, never buffered without limit).
import * as pty from 'node-pty';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { Mirror } from './mirror.js';
import { Recorder, type CommandSink } from './recorder.js';
import { MarkScanner, MarkStripper, type FoundMark } from '../shell/marks.js';
import { launchFor, OUTPUT_PREAMBLE, type ShellKind } from '../shell/integration.js';
import { closeOnExec, relayPty, type RelayClient, type RelayPty } from '../platform/relay.js';

/** What the daemon needs from an attached client, whatever carries it. */
export interface ClientSink {
  readonly id: string;
  readonly name: string;
  readonly readOnly: boolean;
  /** Set when the client's own terminal is in the native relay: it gets keys and output without JavaScript. */
  readonly relay?: RelayClient;
  data(buf: Buffer): void;
  /**
   * Bytes queued to this client and not yet sent, for the terminal's
   * backpressure; 0 where the carrier applies its own (the native relay stops
   * reading a PTY while one of its clients is 2 MiB behind).
   */
  backlog(): number;
  onDrain(fn: () => void): void;
  exited(info: { terminal: string; code: number | null; signal: number | null; remaining: number }): void;
  detached(reason: string): void;
  /** A message for the person at this client (recording failing, …), kept for when they leave. */
  notice?(message: string): void;
  /** A short message shown on the client's screen for a moment. */
  flash?(message: string): void;
  /**
   * Set for a client whose output is rewritten on its way (a status line):
   * such a client is always fed from JavaScript, never by the relay directly.
   */
  rewrite?: (buf: Buffer) => Buffer;
}

const MIRROR_HIGH = 8 * 1024 * 1024;
const MIRROR_LOW = 1 * 1024 * 1024;
const CLIENT_HIGH = 2 * 1024 * 1024;
/** A client this far behind is cut off rather than made to stall everyone. */
const CLIENT_LIMIT = 64 * 1024 * 1024;
/** Output quiet this long counts as settled: time to serialize the screen ahead of the next attach. */
const SETTLE_MS = 500;

export type TerminalOptions = {
  id: string;
  index: number;
  sessionId: string;
  sessionName: string;
  cwd: string;
  command?: string[];
  shell: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  scrollback: number;
  tmpFile: string;
  sink: CommandSink;
  onExit: (t: Terminal, code: number | null, signal: number | null) => void;
  log: (line: string) => void;
  /** Text shown on the terminal's screen before its program's first output (what happened to the shells before it). */
  banner?: string;
  /** Who types here, for the trail (an agent's terminal records its commands as the agent's). */
  actor?: string;
  /** Every chunk of the program's output, as written (a tty service's log). */
  onOutput?: (buf: Buffer) => void;
};

export class Terminal {
  /** When a terminal someone is attached to last had output (performance.now()): the daemon is then in interactive use. */
  static lastWatched = -Infinity;
  readonly id: string;
  readonly index: number;
  readonly createdAt = Date.now();
  readonly command: string[];
  readonly cwd: string;
  /** Whose commands it runs: user, or agent:NAME for an agent's terminal. */
  readonly actor: string;
  readonly shellKind: ShellKind | null;
  readonly pid: number;
  cols: number;
  rows: number;
  exited: { code: number | null; signal: number | null; at: number } | null = null;
  private pty: pty.IPty;
  readonly mirror: Mirror;
  private recorder: Recorder;

  /**
   * What is on the shell's prompt line now, after the prompt, once the shell
   * has drawn a prompt since its last command (null: no prompt within waitMs)
   * and has answered keys written at keysAt (performance.now()).
   */
  async promptText(waitMs = 3000, keysAt = 0): Promise<string | null> {
    // Keys written at keysAt (an agent's C-u) show once the shell has answered them: up to half a second for that.
    for (let waited = 0; this.lastOutputAt < keysAt && waited < 500 && !this.exited; waited += 10) await new Promise((r) => setTimeout(r, 10));
    if (this.exited || !(await this.recorder.prompted(waitMs)) || this.exited) return null;
    // What a client was shown, the person's keys echoed, may still be gathered in the relay: the line is judged on all of it.
    await this.caughtUp();
    // Keys typed at the prompt are echoed: when nothing came after its end, its line is empty (no need to read the screen).
    if (this.recorder.quietSincePrompt) return '';
    return this.mirror.typedSincePromptEnd();
  }

  /**
   * Resolves once this side has had every byte the native relay read from
   * the PTY. While every client is fed by the relay itself, it gathers output
   * for JavaScript for up to 50 ms: bytes already on a client's screen may
   * not have reached the recorder and the mirror yet.
   */
  private async caughtUp(): Promise<void> {
    const relay = this.relay;
    if (!relay || relay.handed(this.relaySeq)) return;
    if (!this.urgent) {
      relay.urgent(true); // hands the gathered output over now
      relay.urgent(false);
    }
    // It comes as events of the loop (a chunk at a time); 1 s at most, for a loaded machine.
    const until = performance.now() + 1000;
    while (!this.exited && !relay.handed(this.relaySeq) && performance.now() < until) await new Promise((r) => setTimeout(r, 1));
  }

  /** Types a command line for `actor` at the prompt: the command it starts is theirs in the trail, whoever owns the terminal. */
  typeCommand(line: string, actor: string): void {
    this.recorder.typedNext(actor);
    this.write(Buffer.from(line + '\r'));
  }

  /** A typed command that never started: the next one is the owner's again. */
  forgetTyped(): void {
    this.recorder.typedNext(null);
  }

  /** Where the shell is now (its last prompt's directory), else where it started. */
  get currentCwd(): string {
    return this.recorder.currentCwd ?? this.cwd;
  }
  private scanner: MarkScanner;
  /** What clients fed from JavaScript are sent: the output without trail's marks. */
  private stripper = new MarkStripper();
  private clients = new Set<ClientSink>();
  private joining = new Map<ClientSink, Buffer[]>();
  /** Clients in the order they last asked for a size; the last one's size wins. */
  private sizeOrder: { sink: ClientSink; cols: number; rows: number }[] = [];
  private paused = false;
  /** Counts what changes the screen (output, resizes): a snapshot is good while it is unchanged. */
  private seq = 0;
  private snapshotCache: { seq: number; text: string } | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private lastOutputAt = 0;
  /** The native relay reads and writes this PTY (null: node-pty's streams do). */
  private relay: RelayPty | null = null;
  /** The relay's number of the last output chunk ingested here. */
  private relaySeq = 0;
  /** Relay clients the relay feeds itself; the others here get each chunk from ingest. */
  private live = new Set<ClientSink>();
  private urgent = false;
  /** The file that hands the shell its nonce; removed once the shell has shown it read it. */
  private nonceFile: string | null;

  constructor(private opts: TerminalOptions) {
    this.id = opts.id;
    this.index = opts.index;
    this.cwd = opts.cwd;
    this.actor = opts.actor ?? 'user';
    this.cols = opts.cols;
    this.rows = opts.rows;
    const nonce = randomBytes(12).toString('hex');
    // The nonce reaches the shell through a file it reads once, never its
    // environment (/proc/PID/environ would keep it for the shell's life).
    this.nonceFile = opts.tmpFile + '.nonce';
    writeFileSync(this.nonceFile, nonce + '\n', { mode: 0o600 });
    const launch = launchFor({
      command: opts.command,
      shell: opts.shell,
      nonceFile: this.nonceFile,
      env: {
        ...opts.env,
        TERM: 'xterm-256color',
        COLORTERM: 'truecolor',
        TRAIL_SESSION: opts.sessionName,
        TRAIL_TERMINAL: opts.id,
        TRAIL_TMP: opts.tmpFile,
        // An agent's terminal: trail run in it acts as the agent (the person's own commands refuse it).
        ...(opts.actor?.startsWith('agent:') ? { TRAIL_ACTOR: opts.actor } : {}),
      },
    });
    this.shellKind = launch.kind;
    if (!launch.kind) this.forgetNonce();
    this.command = launch.shown;
    this.scanner = new MarkScanner(launch.kind ? nonce : null);
    this.mirror = new Mirror(opts.id, opts.cols, opts.rows, opts.scrollback);
    if (opts.banner) this.mirror.write(Buffer.from(opts.banner.replace(/\n/g, '\r\n') + '\r\n'));
    const preamble = launch.kind ? (OUTPUT_PREAMBLE[launch.kind] ?? null) : null;
    this.recorder = new Recorder({ sessionId: opts.sessionId, terminalId: opts.id }, this.mirror, opts.sink, opts.cwd, Date.now, opts.actor ?? 'user', preamble);
    // encoding: null hands us Buffers: no UTF-8 decoding on the hot path.
    this.pty = pty.spawn(launch.file, launch.args, {
      name: 'xterm-256color',
      cols: opts.cols,
      rows: opts.rows,
      cwd: opts.cwd,
      env: launch.env,
      encoding: null,
    } as pty.IPtyForkOptions);
    this.pid = this.pty.pid;
    const master = (this.pty as unknown as { fd?: unknown }).fd;
    // node-pty leaves the master inheritable: the next shell would hold this terminal's master.
    if (typeof master === 'number') closeOnExec(master);
    this.relay = this.takeOver();
    if (!this.relay) this.pty.onData((d) => this.ingest(d as unknown as Buffer));
    this.pty.onExit(({ exitCode, signal }) => this.handleExit(exitCode, signal ?? null));
  }

  /**
   * Gives the PTY's master to the native relay. node-pty's own read stream
   * must then never read (it would take bytes from the relay): its _read is
   * emptied before the tick in which the stream would first start reading.
   * When the relay sees the end, the stream is destroyed so that node-pty
   * reports the exit at once instead of after its 200 ms close timeout.
   */
  private takeOver(): RelayPty | null {
    const internals = this.pty as unknown as { _socket?: { _read?: unknown; destroy(): void }; fd?: unknown };
    const sock = internals._socket;
    if (!sock || typeof sock._read !== 'function' || typeof internals.fd !== 'number') return null;
    const relay = relayPty(internals.fd, {
      output: (buf, seq) => {
        this.relaySeq = seq;
        this.ingest(buf);
      },
      end: () => sock.destroy(),
    });
    if (relay) sock._read = () => {};
    return relay;
  }

  get integrated(): boolean {
    return this.recorder.integrated;
  }

  private forgetNonce(): void {
    if (!this.nonceFile) return;
    rmSync(this.nonceFile, { force: true });
    this.nonceFile = null;
  }

  /** The command running in this terminal now, if known. */
  get runningCommand(): { command: string; id: number | null; startedAt: number } | null {
    return this.exited ? null : this.recorder.current;
  }

  get recordingPaused(): boolean {
    return this.recorder.paused;
  }

  /** `trail off` / `trail on` for this terminal; false if it was so already. */
  pauseRecording(on: boolean): boolean {
    return this.recorder.pause(on);
  }

  /** The daemon stops: a command still running is written as ended by that. */
  stopRecording(reason: string): void {
    this.recorder.close(reason);
  }

  get clientCount(): number {
    return this.clients.size + this.joining.size;
  }

  private ingest(buf: Buffer): void {
    this.seq++;
    this.opts.onOutput?.(buf);
    const shown = this.stripper.strip(buf);
    for (const c of this.clients) {
      if (this.live.has(c)) continue; // the relay wrote it already
      if (shown.length) c.data(c.rewrite ? c.rewrite(shown) : shown);
      if (c.backlog() > CLIENT_LIMIT) c.detached('client too slow: more than 64 MiB of output unsent');
      else if (c.relay && !c.rewrite) this.goLive(c);
    }
    if (shown.length) for (const q of this.joining.values()) q.push(shown);

    let marks: FoundMark[];
    try {
      marks = this.scanner.scan(buf);
    } catch (e) {
      // A fault in mark parsing must never cost the mirror its bytes.
      this.opts.log(`terminal ${this.id}: mark scanner failed, chunk not recorded: ${(e as Error).message}`);
      marks = [];
    }
    if (marks.length === 0) {
      this.mirror.write(buf);
      this.recorder.output(buf);
    } else {
      // Split the mirror's input at a mark whose handling reads the screen, so
      // that it reads the screen exactly as it was when the mark came. trail's
      // own marks are not the command's output: the recorder never gets their
      // bytes. The records these marks make are written in one commit.
      this.opts.sink.batch(() => {
        let pos = 0;
        let rec = 0;
        for (const { mark, start, end } of marks) {
          if (start > pos && this.recorder.readsScreen(mark)) {
            this.mirror.write(buf.subarray(pos, start));
            pos = start;
          }
          if (start > rec) this.recorder.output(buf.subarray(rec, start));
          rec = Math.max(rec, start);
          if (mark.kind === 'osc633') rec = Math.max(rec, end);
          this.recorder.mark(mark);
        }
        if (pos < buf.length) this.mirror.write(buf.subarray(pos));
        if (rec < buf.length) this.recorder.output(buf.subarray(rec));
      });
      if (this.nonceFile && this.recorder.integrated) this.forgetNonce();
    }
    this.applyBackpressure();
    this.lastOutputAt = performance.now();
    if (this.clients.size) Terminal.lastWatched = this.lastOutputAt;
    if (this.clients.size === 0 && this.joining.size === 0) this.snapshotWhenIdle();
  }

  /**
   * A terminal nobody watches is the one a person will come back to: once its
   * output settles, serialize its screen and scrollback ahead of time so the
   * next attach sends it at once (a 10,000-line serialize takes ~70 ms).
   */
  private snapshotWhenIdle(): void {
    // Settled means 500 ms without output; a client that leaves a quiet
    // terminal should not make the next attach wait for that long.
    if (this.idleTimer) return; // it re-arms itself while output goes on
    const wait = Math.max(0, SETTLE_MS - (performance.now() - this.lastOutputAt));
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.clients.size > 0 || this.joining.size > 0 || this.exited) return;
      if (performance.now() - this.lastOutputAt < SETTLE_MS) return this.snapshotWhenIdle();
      this.snapshot(() => {});
    }, wait).unref();
  }

  /** The serialized screen and scrollback at this point of the stream, cached while nothing changes. */
  private snapshot(use: (text: string) => void): void {
    const seq = this.seq;
    if (this.snapshotCache?.seq === seq) return use(this.snapshotCache.text);
    void this.mirror.serialize().then((text) => {
      this.snapshotCache = { seq, text };
      use(text);
    });
  }

  /** A relay client that has had every chunk so far: from now on the relay writes the output to it. */
  private goLive(c: ClientSink): void {
    if (this.relay && c.relay?.goLive(this.relaySeq)) {
      this.live.add(c);
      this.syncUrgent();
    }
  }

  /** Output may wait for JavaScript only while every client here is fed by the relay itself. */
  private syncUrgent(): void {
    if (!this.relay) return;
    let urgent = this.joining.size > 0;
    for (const c of this.clients) if (!this.live.has(c)) urgent = true;
    if (urgent === this.urgent) return;
    this.urgent = urgent;
    this.relay.urgent(urgent);
  }

  private applyBackpressure(): void {
    if (this.paused) return;
    let over = this.mirror.pending > MIRROR_HIGH;
    for (const c of this.clients) if (c.backlog() > CLIENT_HIGH) over = true;
    if (!over) return;
    this.paused = true;
    if (this.relay) this.relay.pause(true);
    else this.pty.pause();
    this.waitToResume();
  }

  private waitToResume(): void {
    const check = () => {
      if (!this.paused) return;
      for (const c of this.clients)
        if (c.backlog() > CLIENT_HIGH / 2) {
          c.onDrain(check);
          return;
        }
      if (this.mirror.pending > MIRROR_LOW) {
        this.mirror.whenDrained(check);
        return;
      }
      this.paused = false;
      if (this.relay) this.relay.pause(false);
      else if (!this.exited) this.pty.resume();
    };
    check();
  }

  /**
   * Adds a client: it gets `lead` (what readies its screen), the screen and
   * scrollback, then the live stream, with nothing lost between.
   */
  attach(sink: ClientSink, size: { cols: number; rows: number } | null, lead: Promise<string>, joined?: () => void): void {
    if (size && !sink.readOnly) this.requestSize(sink, size.cols, size.rows);
    // Its keys go straight to this PTY from now on; its output waits for the snapshot.
    sink.relay?.bind(this.relay);
    this.joining.set(sink, []);
    this.syncUrgent();
    this.snapshot((text) => void lead.then((before) => {
      const queued = this.joining.get(sink);
      if (!queued) return; // left while joining
      this.joining.delete(sink);
      sink.data(Buffer.from(before + text, 'utf8'));
      for (const b of queued) sink.data(sink.rewrite ? sink.rewrite(b) : b);
      this.clients.add(sink);
      if (sink.relay && !sink.rewrite) this.goLive(sink);
      this.syncUrgent();
      if (this.exited) sink.exited({ terminal: this.id, code: this.exited.code, signal: this.exited.signal, remaining: 0 });
      else joined?.();
    }));
  }

  /** Lines the screen has scrolled up, as of the output so far. */
  async scrolls(): Promise<number | null> {
    return this.mirror.scrolls();
  }

  /**
   * Resolves once no output has come for `ms` (at once if the terminal has
   * exited) and the screen mirror holds everything a client was sent: output
   * the native relay wrote to clients and still gathers for JavaScript is
   * handed over first, so a loaded event loop cannot pass for a quiet one.
   */
  async quiet(ms: number): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => {
        const check = () => {
          const wait = ms - (performance.now() - this.lastOutputAt);
          if (this.exited || wait <= 0) resolve();
          else setTimeout(check, wait).unref();
        };
        check();
      });
      if (this.exited || !this.relay) return this.mirror.sync();
      const before = this.lastOutputAt;
      await this.caughtUp();
      await this.mirror.sync();
      if (this.lastOutputAt === before) return;
    }
  }

  /** Where the cursor is on the screen, as of the output so far. */
  async cursor(): Promise<{ x: number; y: number } | null> {
    return this.mirror.cursor();
  }

  /** Counts what changed the screen (output, resizes). */
  get changes(): number {
    return this.seq;
  }

  /** The native relay's number of the last output chunk handed to JavaScript (what the mirror has had). */
  get relayedSeq(): number {
    return this.relaySeq;
  }

  /** Each row of the screen with its colours, as of the output so far (null once the terminal is gone). */
  async screenRows(): Promise<string[] | null> {
    return this.mirror.screenRows();
  }

  /** Rows of the screen in use as of the output so far (null once the terminal is gone). */
  async contentRows(): Promise<number | null> {
    return this.mirror.contentRows();
  }

  detach(sink: ClientSink): void {
    if (sink.relay && (this.clients.has(sink) || this.joining.has(sink))) sink.relay.bind(null);
    this.live.delete(sink);
    this.clients.delete(sink);
    this.joining.delete(sink);
    this.syncUrgent();
    const before = this.sizeOrder.length;
    this.sizeOrder = this.sizeOrder.filter((s) => s.sink !== sink);
    if (this.sizeOrder.length !== before && this.sizeOrder.length > 0) {
      const last = this.sizeOrder[this.sizeOrder.length - 1];
      this.resize(last.cols, last.rows);
    }
    if (this.paused) this.waitToResume();
    if (this.clients.size === 0 && this.joining.size === 0 && !this.exited) this.snapshotWhenIdle();
  }

  /** Input that comes from no client: a command an agent runs, keys it sends (visible to whoever watches). */
  write(data: Buffer): void {
    if (this.exited) return;
    if (this.relay) this.relay.write(data);
    else this.pty.write(data as unknown as string);
  }

  input(sink: ClientSink, data: Buffer): void {
    if (sink.readOnly || this.exited) return;
    if (this.relay) this.relay.write(data);
    else this.pty.write(data as unknown as string);
  }

  /** The most recent client to attach or resize sets the size (tmux's window-size latest). */
  requestSize(sink: ClientSink, cols: number, rows: number): void {
    if (sink.readOnly) return;
    this.sizeOrder = this.sizeOrder.filter((s) => s.sink !== sink);
    this.sizeOrder.push({ sink, cols, rows });
    if (!this.resize(cols, rows)) return;
    for (const c of this.clients) if (c !== sink) c.flash?.(`${sink.name} resized this terminal to ${cols}x${rows}`);
  }

  private resize(cols: number, rows: number): boolean {
    if (this.exited || (cols === this.cols && rows === this.rows)) return false;
    this.cols = cols;
    this.rows = rows;
    this.seq++;
    try {
      this.pty.resize(cols, rows);
    } catch {
      // The PTY ended and its exit is on the way; the mirror still follows.
    }
    this.mirror.resize(cols, rows);
    return true;
  }

  kill(): void {
    if (this.exited) return;
    try {
      this.pty.kill('SIGHUP');
    } catch {
      /* already gone */
    }
  }

  private handleExit(code: number | null, signal: number | null): void {
    this.exited = { code, signal, at: Date.now() };
    this.relay?.remove();
    this.relay = null;
    this.recorder.close();
    this.forgetNonce();
    this.opts.onExit(this, code, signal);
  }

  /** Tells every client the terminal ended; remaining = terminals left in the session. */
  notifyExit(remaining: number): void {
    const info = { terminal: this.id, code: this.exited?.code ?? null, signal: this.exited?.signal ?? null, remaining };
    // Let the last output reach the clients first.
    void this.mirror.sync().then(() => {
      for (const c of this.clients) c.exited(info);
    });
  }

  sinks(): ClientSink[] {
    return [...this.clients, ...this.joining.keys()];
  }

  dispose(): void {
    this.relay?.remove();
    this.relay = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.snapshotCache = null;
    this.mirror.dispose();
  }
}
