// The unix-socket transport: framing, the version handshake, RPC calls into the
// api, and attached clients. A connection that sends garbage is told why and
// closed; the daemon and every other connection carry on.
import { peerPid } from '../platform/relay.js';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { FRAME_DATA, FrameDecoder, encodeHeader, encodeJson } from '../wire/frames.js';
import { PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../wire/protocol.js';
import { ClientMessageSchema } from '../wire/protocol-schema.js';
import { invoke, errorShape } from '../api/define.js';
import { operations } from '../api/index.js';
import { Attachment } from '../api/attach.js';
import { KeyFilter, keyHelp, keyLabel } from '../api/key-filter.js';
import { openClientTty, type ClientTty } from './tty-link.js';
import type { ApiContext } from '../api/context.js';
import { redact } from '../common/redact.js';
import type { ClientSink } from '../daemon/terminal.js';

/** Where an attached client's terminal bytes go: its own tty, or down the socket. */
type Output = Pick<ClientTty, 'write' | 'backlog' | 'onDrain'>;

/** Limits that keep one bad client from hurting everyone (issue: half frames held open grew the daemon by 570 MB). */
export const LIMITS = {
  connections: 256,
  /** Bytes of unfinished frames held for all connections together. */
  pendingTotal: 64 * 1024 * 1024,
  /** A half frame that makes no progress for this long closes its connection. */
  stallMs: 10_000,
};
let pendingTotal = 0;
let open = 0;

export function serveSocket(ctx: ApiContext, log: (line: string) => void): net.Server {
  return net.createServer((sock) => {
    if (open >= LIMITS.connections) {
      log(`refused a connection: ${LIMITS.connections} are open`);
      sock.end(encodeJson({ t: 'error', code: 'busy', message: `the daemon has ${LIMITS.connections} connections open; close some and retry` }));
      return;
    }
    open++;
    sock.once('close', () => open--);
    new Connection(sock, ctx, log);
  });
}

class Connection {
  private decoder = new FrameDecoder();
  private greeted = false;
  private client = 'unknown';
  private attachment: Attachment | null = null;
  private keys: KeyFilter | null = null;
  private keyBytes: { detach: number; prefix: number } | null = null;
  private noticed = new Set<string>();
  /** The client's terminal, when the daemon reads and writes it directly. */
  private tty: ClientTty | null = null;
  private closed = false;
  private ending = false;
  /** What this connection adds to pendingTotal. */
  private pendingHere = 0;
  private stallTimer: NodeJS.Timeout | null = null;
  /** Ends this connection's watches of events. */
  private unwatch: (() => void)[] = [];
  /** The calling process, from the socket itself (SO_PEERCRED): who calls is not taken on the caller's word. */
  private readonly pid: number | null;

  constructor(
    private sock: net.Socket,
    private ctx: ApiContext,
    private log: (line: string) => void,
  ) {
    const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
    this.pid = typeof fd === 'number' && fd >= 0 ? peerPid(fd) : null;
    sock.on('data', (chunk) => this.onData(chunk));
    sock.on('error', () => this.cleanup());
    sock.on('close', () => {
      if (this.decoder.pending > 0 && !this.closed) log(`connection from ${this.client} closed inside a frame (${this.decoder.pending} bytes)`);
      this.trackPending(true);
      this.cleanup();
    });
  }

  private send(msg: ServerMessage): void {
    if (!this.sock.destroyed) this.sock.write(encodeJson(msg));
  }

  private fail(code: string, message: string): void {
    if (this.closed) return;
    this.log(`closing a connection (${this.client}): ${message}`);
    this.send({ t: 'error', code, message });
    this.closed = true;
    this.cleanup();
    this.sock.end();
    setTimeout(() => this.sock.destroy(), 1000).unref();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.trackPending(true);
      return this.fail('protocol', `bad frame: ${(e as Error).message}`);
    }
    this.trackPending(false);
    if (pendingTotal > LIMITS.pendingTotal) {
      this.trackPending(true);
      return this.fail('busy', `more than ${LIMITS.pendingTotal >> 20} MiB of unfinished frames are held for all connections; send whole frames`);
    }
    for (const f of frames) {
      if (this.closed) return;
      if (f.kind === FRAME_DATA) {
        if (!this.attachment) return this.fail('protocol', 'terminal data before attach');
        this.onKeys(f.data);
        continue;
      }
      const parsed = ClientMessageSchema.safeParse(f.value);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        return this.fail('protocol', `bad message: ${i.path.join('.') || 'message'}: ${i.message}`);
      }
      this.handle(parsed.data);
    }
  }

  /** Keeps the total of unfinished frames, and closes a connection whose half frame stalls. */
  private trackPending(gone: boolean): void {
    const now = gone ? 0 : this.decoder.pending;
    pendingTotal += now - this.pendingHere;
    this.pendingHere = now;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    if (now > 0)
      this.stallTimer = setTimeout(() => {
        this.trackPending(true);
        this.fail('protocol', `half a frame (${now} bytes) made no progress for ${LIMITS.stallMs / 1000} s`);
      }, LIMITS.stallMs).unref();
  }

  private handle(m: ClientMessage): void {
    if (!this.greeted) {
      if (m.t !== 'hello') return this.fail('protocol', 'the first message must be hello');
      if (m.version !== PROTOCOL_VERSION)
        return this.fail(
          'version',
          `daemon is protocol version ${PROTOCOL_VERSION}, client is ${m.version}: restart the daemon (trail daemon stop)`,
        );
      this.greeted = true;
      this.client = m.client;
      this.send({ t: 'hello', version: PROTOCOL_VERSION, daemonPid: process.pid });
      return;
    }
    switch (m.t) {
      case 'hello':
        return this.fail('protocol', 'hello sent twice');
      case 'call': {
        const id = m.id;
        invoke(operations, this.ctx, m.op, m.input, { client: this.client, pid: this.pid }).then(
          (value) => this.send({ t: 'result', id, ok: true, value: value ?? null }),
          (e) => this.send({ t: 'result', id, ok: false, error: errorShape(e) }),
        );
        return;
      }
      case 'attach': {
        if (this.attachment) return this.fail('protocol', 'already attached');
        if (m.tty) {
          try {
            this.tty = openClientTty(m.tty, m.readOnly, m.keys);
          } catch (e) {
            this.log(`${m.client}: relaying instead of using its terminal directly: ${(e as Error).message}`);
          }
        }
        this.keys = new KeyFilter(m.keys, m.readOnly);
        this.keyBytes = m.keys;
        try {
          this.attachment = new Attachment(this.ctx, this.makeSink(m.client, m.readOnly), m);
        } catch (e) {
          return this.attachFailed(e);
        }
        this.tty?.listen(
          (b) => this.onKeys(b),
          () => {
            // The terminal hung up (window closed): the client is gone too.
            this.cleanup();
            this.sock.destroy();
          },
        );
        this.sendAttached(this.attachment);
        return;
      }
      case 'resize':
        this.attachment?.resize(m.cols, m.rows);
        return;
      case 'switch':
        if (!this.attachment) return this.fail('protocol', 'switch before attach');
        return this.switchTo(m.to);
      case 'detach':
        return this.endWith({ t: 'detached', reason: 'detached' });
      case 'watch':
        return this.watch(m.kinds, m.session);
    }
  }

  /** Where the client is now, and whether the daemon works its terminal (else the client relays). */
  private sendAttached(a: Attachment): void {
    this.send({ t: 'attached', ...a.info, direct: this.tty !== null });
  }

  private attachFailed(e: unknown): void {
    const err = errorShape(e);
    this.tty?.destroy();
    this.tty = null;
    this.keys = null;
    this.send({ t: 'error', code: err.code, message: err.message });
  }

  private switchTo(to: string): void {
    if (!this.attachment) return;
    try {
      this.attachment.switchTo(to);
      this.sendAttached(this.attachment);
    } catch (e) {
      // Said where the person is looking, at once (not only after they leave).
      this.attachment.flash(errorShape(e).message);
    }
  }

  /**
   * Keys from the client, read from its terminal or relayed: trail's own keys
   * are taken out. True while the prefix key waits for the key after it.
   */
  private onKeys(chunk: Buffer): boolean {
    const a = this.attachment;
    if (!a || !this.keys) return false;
    for (const k of this.keys.push(chunk)) {
      if (k.kind === 'data') a.input(k.data);
      else if (k.kind === 'switch') this.switchTo(k.to);
      else if (k.kind === 'help') a.flash(keyHelp(this.keyBytes!), 6000);
      else if (k.kind === 'sessions') a.offerSessions();
      else if (k.kind === 'session') {
        a.chooseSession(k.index);
        this.sendAttached(a);
      } else if (k.kind === 'unbound') a.flash(`${keyLabel(this.keyBytes!.prefix)} ${k.key} is not a trail key; ${keyLabel(this.keyBytes!.prefix)} ? lists them`);
      else {
        this.endWith({ t: 'detached', reason: 'key' });
        return false;
      }
    }
    return this.keys.pending;
  }

  /**
   * Ends the attachment with a last message. The daemon lets go of the client's
   * terminal first (its output flushed), so whatever the client prints on
   * leaving comes after the last byte of the session.
   */
  private endWith(msg: ServerMessage & { t: 'detached' | 'exit' }): void {
    if (this.ending) return;
    this.ending = true;
    const link = this.tty;
    const a = this.attachment;
    const term = a?.terminal;
    // A notice on screen is drawn away, and the status line taken off, before the client lets go of its terminal.
    // (Bounded: while output floods, the notice has scrolled away anyway.)
    const ready = a ? Promise.race([a.unflash().catch(() => {}), new Promise((r) => setTimeout(r, 500))]).then(() => a.clearStatus()) : Promise.resolve();
    // The client's goodbye goes below the last screen it was shown.
    const send = async () => {
      const rows = term ? await term.contentRows().catch(() => null) : null;
      this.send(rows === null ? msg : { ...msg, rows });
      this.sock.end();
    };
    void ready.then(() => {
      this.tty = null;
      this.cleanup();
      if (link) void link.close().then(send);
      else void send();
    });
  }

  private makeSink(name: string, readOnly: boolean): ClientSink {
    const out = this.tty ?? this.socketOutput();
    return {
      id: randomBytes(4).toString('hex'),
      name,
      readOnly,
      relay: this.tty?.relay,
      data: (buf) => out.write(buf),
      backlog: () => out.backlog(),
      onDrain: (fn) => out.onDrain(fn),
      exited: (info) => this.exited(info),
      detached: (reason) => this.endWith({ t: 'detached', reason }),
      notice: (message) => {
        this.send({ t: 'notice', message });
        // On screen once; the client repeats each one when it leaves.
        if (this.noticed.has(message)) return;
        this.noticed.add(message);
        this.attachment?.flash(message, 5000);
      },
      flash: (message) => this.attachment?.flash(message),
      rewrite: this.ctx.settings.status ? (b) => this.attachment?.rewrite(b) ?? b : undefined,
    };
  }

  /** Terminal bytes framed down the socket, for a client that relays them itself. */
  private socketOutput(): Output {
    const sock = this.sock;
    return {
      write: (buf) => {
        if (sock.destroyed) return;
        sock.cork();
        sock.write(encodeHeader(FRAME_DATA, buf.length));
        sock.write(buf);
        sock.uncork();
      },
      backlog: () => (sock.destroyed ? 0 : sock.writableLength),
      onDrain: (fn) => {
        if (sock.destroyed) fn();
        else sock.once('drain', fn);
      },
    };
  }

  private exited(info: { terminal: string; code: number | null; signal: number | null; remaining: number }): void {
    if (this.attachment?.followAfterExit(info)) {
      this.sendAttached(this.attachment);
      return;
    }
    this.endWith({ t: 'exit', ...info });
  }

  /**
   * Sends the events of these kinds as they happen (what `trail up` follows
   * instead of asking again and again). An unknown session is the one clear error.
   */
  private watch(kinds: string[], session: string | undefined): void {
    let id: string | null = null;
    if (session !== undefined) {
      const s = this.ctx.manager.find(session);
      if (!s) return this.send({ t: 'error', code: 'not_found', message: `no session named "${session}" (trail ls lists them)` });
      id = s.id;
    }
    this.unwatch.push(
      this.ctx.manager.events.on(kinds as Parameters<typeof this.ctx.manager.events.on>[0], (e) => {
        if (id !== null && e.sessionId !== id) return;
        const data = e.data === undefined ? null : JSON.parse(redact(JSON.stringify(e.data), this.ctx.secrets));
        this.send({ t: 'event', event: { kind: e.kind, session: this.ctx.sessionNames().get(e.sessionId) ?? null, terminal: e.terminalId, at: e.at, data } });
      }),
    );
  }

  private cleanup(): void {
    for (const stop of this.unwatch.splice(0)) stop();
    const a = this.attachment;
    this.attachment = null;
    if (a) a.leave();
    this.tty?.destroy();
    this.tty = null;
  }
}

