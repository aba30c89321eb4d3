// The unix-socket transport: framing, the version handshake, RPC calls into the
// api, and attached clients. A connection that sends garbage is told why and
// closed; the daemon and every other connection carry on.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { FRAME_DATA, FrameDecoder, encodeHeader, encodeJson } from '../wire/frames.js';
import { PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../wire/protocol.js';
import { ClientMessageSchema } from '../wire/protocol-schema.js';
import { invoke, errorShape } from '../api/define.js';
import { operations } from '../api/index.js';
import { Attachment } from '../api/attach.js';
import type { ApiContext } from '../api/context.js';
import type { ClientSink } from '../daemon/terminal.js';

export function serveSocket(ctx: ApiContext, log: (line: string) => void): net.Server {
  return net.createServer((sock) => new Connection(sock, ctx, log));
}

class Connection {
  private decoder = new FrameDecoder();
  private greeted = false;
  private client = 'unknown';
  private attachment: Attachment | null = null;
  private sink: ClientSink | null = null;
  private closed = false;

  constructor(
    private sock: net.Socket,
    private ctx: ApiContext,
    private log: (line: string) => void,
  ) {
    sock.on('data', (chunk) => this.onData(chunk));
    sock.on('error', () => this.cleanup());
    sock.on('close', () => {
      if (this.decoder.pending > 0 && !this.closed) log(`connection from ${this.client} closed inside a frame (${this.decoder.pending} bytes)`);
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
      return this.fail('protocol', `bad frame: ${(e as Error).message}`);
    }
    for (const f of frames) {
      if (this.closed) return;
      if (f.kind === FRAME_DATA) {
        if (!this.attachment) return this.fail('protocol', 'terminal data before attach');
        this.attachment.input(f.data);
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
        invoke(operations, this.ctx, m.op, m.input, { client: this.client }).then(
          (value) => this.send({ t: 'result', id, ok: true, value: value ?? null }),
          (e) => this.send({ t: 'result', id, ok: false, error: errorShape(e) }),
        );
        return;
      }
      case 'attach': {
        if (this.attachment) return this.fail('protocol', 'already attached');
        this.sink = this.makeSink(m.client, m.readOnly);
        try {
          this.attachment = new Attachment(this.ctx, this.sink, m);
        } catch (e) {
          const err = errorShape(e);
          this.send({ t: 'error', code: err.code, message: err.message });
          this.sink = null;
          return;
        }
        this.send({ t: 'attached', ...this.attachment.info });
        return;
      }
      case 'resize':
        this.attachment?.resize(m.cols, m.rows);
        return;
      case 'switch':
        if (!this.attachment) return this.fail('protocol', 'switch before attach');
        try {
          this.attachment.switchTo(m.to);
          this.send({ t: 'attached', ...this.attachment.info });
        } catch (e) {
          this.send({ t: 'notice', message: errorShape(e).message });
        }
        return;
      case 'detach':
        this.cleanup();
        this.send({ t: 'detached', reason: 'detached' });
        this.sock.end();
        return;
    }
  }

  private makeSink(name: string, readOnly: boolean): ClientSink {
    const sock = this.sock;
    return {
      id: randomBytes(4).toString('hex'),
      name,
      readOnly,
      data: (buf) => {
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
      exited: (info) => {
        if (this.attachment?.followAfterExit(info.terminal)) {
          this.send({ t: 'notice', message: `terminal ${info.terminal} exited (code ${info.code ?? '?'}); switched to another terminal` });
          this.send({ t: 'attached', ...this.attachment.info });
          return;
        }
        this.send({ t: 'exit', ...info });
        this.cleanup();
        sock.end();
      },
      detached: (reason) => {
        this.send({ t: 'detached', reason });
        this.cleanup();
        sock.end();
      },
    };
  }

  private cleanup(): void {
    const a = this.attachment;
    this.attachment = null;
    if (a) a.leave();
  }
}

