// The attach client: puts the local terminal in raw mode and hands it to the
// daemon, which reads keys from it and writes output to it directly (as tmux's
// server does); where the daemon cannot open it, the client relays the bytes.
// Detach key (default Ctrl-\, as dtach and abduco) leaves the session running;
// the prefix key (default Ctrl-]) then n/p/c/0-9 switches terminals. The daemon
// applies both keys.
import { fstatSync } from 'node:fs';
import { DaemonClient, ClientError } from '../client/daemon-client.js';
import { parseKey, keyName } from './keys.js';
import type { ServerMessage } from '../wire/protocol.js';
import { leave } from '../common/screen.js';
import { identity } from './identity.js';
import { briefingLines, fit } from './briefing-view.js';

/** How long to wait for the terminal to say where its cursor is. */
const CURSOR_REPLY_MS = 500;

/** Inside a session, attaching (to it or another) would nest one in the other: said before anything is done. */
export function nestedRefusal(): string | null {
  if (!process.env.TRAIL_SESSION || process.env.TRAIL_ALLOW_NESTED) return null;
  return `trail: already inside trail session "${process.env.TRAIL_SESSION}"; detach first, use -d to create without attaching, or set TRAIL_ALLOW_NESTED=1 to nest on purpose`;
}

export type AttachOptions = {
  session: string;
  terminal?: string;
  /** A tty service's terminal (trail svc attach). */
  service?: string;
  /** No briefing, however long away. */
  noBrief?: boolean;
  readOnly: boolean;
  detachKey?: string;
  prefixKey?: string;
};

export async function attach(opts: AttachOptions): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) {
    process.stderr.write('trail: attaching needs a terminal (stdin and stdout must be a tty); use `trail new -d` to create without attaching\n');
    return 1;
  }
  const nested =
    opts.service !== undefined && process.env.TRAIL_SESSION && !process.env.TRAIL_ALLOW_NESTED
      ? `trail: you are inside trail session "${process.env.TRAIL_SESSION}", whose keys (Ctrl-\\ detach) would reach it before the service: run trail svc attach ${opts.service} from a shell outside trail (or set TRAIL_ALLOW_NESTED=1, and leave the service with Ctrl-] Ctrl-\\)`
      : nestedRefusal();
  if (nested) {
    process.stderr.write(nested + '\n');
    return 1;
  }
  const detachSpec = opts.detachKey ?? process.env.TRAIL_DETACH_KEY ?? 'C-\\';
  const prefixSpec = opts.prefixKey ?? process.env.TRAIL_PREFIX_KEY ?? 'C-]';
  const detachByte = parseKey(detachSpec);
  const prefixByte = parseKey(prefixSpec);
  if (detachByte === null) throw new ClientError(`detach key ${JSON.stringify(detachSpec)} is not a key: write it like C-\\ or ^]`);
  if (prefixByte === null) throw new ClientError(`prefix key ${JSON.stringify(prefixSpec)} is not a key: write it like C-] or ^b`);

  const client = await DaemonClient.connect({ client: identity(), wait: false });
  let sessionName = opts.session;
  let terminalLabel = '';

  // Back after a while: what happened meanwhile, printed above the session's
  // screen (the handover scrolls it up into this terminal's scrollback).
  if (!opts.noBrief && opts.service === undefined) {
    try {
      const r = await client.call('session.brief', { session: opts.session, identity: identity(), onAttach: true, mark: false });
      if (r.show && r.briefing) stdout.write(briefingLines(r.briefing).map((l) => fit(l, stdout.columns || 80)).join('\r\n') + '\r\n');
    } catch {
      /* no such session, or an older daemon: attaching says what is wrong */
    }
  }

  stdin.setRawMode(true);
  const { row, typed } = await cursorRow();
  return await new Promise<number>((resolve) => {
    let done = false;
    let relaying = false;
    /** The signal that asked us to leave, while the daemon lets go of the terminal. */
    let leaving: NodeJS.Signals | null = null;
    const notices = new Set<string>();
    const relay = (chunk: Buffer) => client.sendData(chunk);
    const finish = (code: number, message: string, rows: number | null = null) => {
      if (done) return;
      done = true;
      stdin.off('data', relay);
      stdout.off('resize', onResize);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      try {
        stdin.setRawMode(false);
      } catch {
        /* stdin gone */
      }
      stdin.pause();
      const extra = [...notices].map((n) => n + '\r\n').join('');
      stdout.write(leave(rows, stdout.rows || 24) + message + '\r\n' + extra, () => {
        client.close();
        resolve(code);
      });
    };

    const onResize = () => client.send({ t: 'resize', cols: stdout.columns, rows: stdout.rows });

    // `kill` (or a tool stopping us) must leave the terminal usable, as a
    // detach key would: the daemon lets go of the terminal first, then we
    // restore it. (SIGHUP needs nothing: the terminal is gone, and our
    // closing socket tells the daemon.)
    const onSignal = (sig: NodeJS.Signals) => {
      if (done || leaving) return;
      leaving = sig;
      client.send({ t: 'detach' });
      setTimeout(() => finish(0, `[detached from ${sessionName}: ${sig}]`), 2000).unref();
    };

    client.onData = (b) => stdout.write(b);
    // The daemon closes a client's connection only after telling it why; a close without a word means it died.
    client.onClose = () =>
      finish(1, `[the trail daemon went away (killed or crashed?): the shells of ${sessionName} ended with it; the next trail says what was lost]`);
    client.onMessage = (m: ServerMessage) => {
      switch (m.t) {
        case 'attached':
          sessionName = m.session;
          terminalLabel = m.service !== undefined ? `service ${m.service}` : `terminal ${m.terminal.index}`;
          if (m.service === undefined && m.terminal.shell === null) notices.add(`note: terminal ${m.terminal.index} runs ${m.terminal.command[0]}, which has no trail integration (bash, zsh and fish do): its commands are not recorded`);
          if (!m.direct && !relaying) {
            relaying = true;
            stdin.on('data', relay);
            stdin.resume();
          }
          return;
        case 'notice':
          // Printed on leaving, so the screen being drawn is not disturbed.
          notices.add(m.message);
          return;
        case 'exit':
          return finish(
            0,
            `[${terminalLabel} of ${sessionName} exited${m.code !== null ? ` with code ${m.code}` : m.signal ? ` on signal ${m.signal}` : ''}${terminalLabel.startsWith('service') ? `; trail svc ls says what it does next` : '; no terminals left'}]`,
            m.rows ?? null,
          );
        case 'detached':
          if (leaving) return finish(0, `[detached from ${sessionName}: ${leaving}]`, m.rows ?? null);
          return finish(0, m.reason === 'key' ? `[detached from ${sessionName}]` : `[detached from ${sessionName}: ${m.reason}]`, m.rows ?? null);
        case 'error':
          return finish(1, `trail: ${m.message}`);
      }
    };

    stdout.on('resize', onResize);
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    client.send({
      t: 'attach',
      session: opts.session,
      terminal: opts.terminal,
      service: opts.service,
      readOnly: opts.readOnly,
      client: identity(),
      cols: stdout.columns || 80,
      rows: stdout.rows || 24,
      keys: { detach: detachByte, prefix: prefixByte },
      tty: ownTty(),
      above: row,
    });
    // Keys typed while the terminal answered go to the session, in order.
    if (typed.length) client.sendData(typed);
  });
}

/**
 * Rows of the screen in use: those above the cursor (and its own, when the
 * cursor is not at the start of a line), from the terminal's cursor report.
 * Keys typed meanwhile are kept. Undefined when the terminal does not answer:
 * the daemon then keeps the whole screen.
 */
async function cursorRow(): Promise<{ row: number | undefined; typed: Buffer }> {
  const stdin = process.stdin;
  let got = Buffer.alloc(0);
  const answer = await new Promise<{ row: number; col: number } | null>((resolve) => {
    const timer = setTimeout(() => done(null), CURSOR_REPLY_MS);
    const onData = (b: Buffer) => {
      got = Buffer.concat([got, b]);
      const m = /\x1b\[(\d+);(\d+)R/.exec(got.toString('latin1'));
      if (!m) return;
      got = Buffer.concat([got.subarray(0, m.index), got.subarray(m.index + m[0].length)]);
      done({ row: Number(m[1]), col: Number(m[2]) });
    };
    const done = (v: { row: number; col: number } | null) => {
      clearTimeout(timer);
      stdin.off('data', onData);
      stdin.pause();
      resolve(v);
    };
    stdin.on('data', onData);
    stdin.resume();
    process.stdout.write('\x1b[6n');
  });
  if (!answer) return { row: undefined, typed: got };
  return { row: answer.col > 1 ? answer.row : answer.row - 1, typed: got };
}

/**
 * This process's terminal, for the daemon to open: stdin and stdout must be
 * the same tty. TRAIL_ATTACH_RELAY=1 keeps the bytes going through the client.
 */
function ownTty(): { pid: number; dev: number; ino: number } | undefined {
  if (process.env.TRAIL_ATTACH_RELAY === '1' || process.platform !== 'linux') return undefined;
  try {
    const i = fstatSync(0);
    const o = fstatSync(1);
    if (i.rdev !== o.rdev || i.ino !== o.ino) return undefined;
    return { pid: process.pid, dev: i.rdev, ino: i.ino };
  } catch {
    return undefined;
  }
}

export function attachHelp(): string {
  const d = parseKey(process.env.TRAIL_DETACH_KEY ?? 'C-\\') ?? 0x1c;
  const p = parseKey(process.env.TRAIL_PREFIX_KEY ?? 'C-]') ?? 0x1d;
  return `keys while attached: ${keyName(d)} detach; ${keyName(p)} then n next terminal, p previous, c new, 0-9 by number, l last, s sessions, ? keys, d detach, ${keyName(p)} sends ${keyName(p)}, ${keyName(d)} sends ${keyName(d)}`;
}
