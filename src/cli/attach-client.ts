// The attach client: the local terminal in raw mode, passing bytes both ways.
// Detach key (default Ctrl-\, as dtach and abduco) leaves the session running;
// the prefix key (default Ctrl-]) then n/p/c/0-9 switches terminals.
import { DaemonClient, ClientError } from './client.js';
import { parseKey, keyName } from './keys.js';
import type { ServerMessage } from '../wire/protocol.js';

// Undo whatever modes the program inside may have left on: alternate screen,
// mouse reporting, bracketed paste, application keys, hidden cursor, colours.
// The scroll region reset sits between cursor save and restore: on its own it
// moves the cursor home, and our goodbye line would land on top of the screen.
const RESTORE =
  '\x1b[?1049l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l\x1b[?1004l\x1b[?1l\x1b>\x1b[?25h\x1b[0m\x1b7\x1b[r\x1b8';

export type AttachOptions = {
  session: string;
  terminal?: string;
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
  if (process.env.TRAIL_SESSION && !process.env.TRAIL_ALLOW_NESTED) {
    process.stderr.write(
      `trail: already inside trail session "${process.env.TRAIL_SESSION}"; detach first, or set TRAIL_ALLOW_NESTED=1 to nest on purpose\n`,
    );
    return 1;
  }
  const detachSpec = opts.detachKey ?? process.env.TRAIL_DETACH_KEY ?? 'C-\\';
  const prefixSpec = opts.prefixKey ?? process.env.TRAIL_PREFIX_KEY ?? 'C-]';
  const detachByte = parseKey(detachSpec);
  const prefixByte = parseKey(prefixSpec);
  if (detachByte === null) throw new ClientError(`detach key ${JSON.stringify(detachSpec)} is not a key: write it like C-\\ or ^]`);
  if (prefixByte === null) throw new ClientError(`prefix key ${JSON.stringify(prefixSpec)} is not a key: write it like C-] or ^b`);

  const client = await DaemonClient.connect({ client: `cli:${process.env.USER ?? 'user'}` });
  let sessionName = opts.session;
  let terminalLabel = '';

  return await new Promise<number>((resolve) => {
    let done = false;
    let prefixed = false;
    const notices = new Set<string>();
    const finish = (code: number, message: string) => {
      if (done) return;
      done = true;
      stdin.off('data', onInput);
      stdout.off('resize', onResize);
      try {
        stdin.setRawMode(false);
      } catch {
        /* stdin gone */
      }
      stdin.pause();
      const extra = [...notices].map((n) => n + '\r\n').join('');
      stdout.write(RESTORE + '\r\n' + message + '\r\n' + extra, () => {
        client.close();
        resolve(code);
      });
    };

    const onInput = (chunk: Buffer) => {
      if (opts.readOnly) {
        // A read-only client can still leave.
        if (chunk.includes(detachByte)) finish(0, `[detached from ${sessionName}]`);
        return;
      }
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (prefixed) {
          prefixed = false;
          start = i + 1;
          const ch = String.fromCharCode(b);
          if (b === prefixByte) client.sendData(Buffer.from([prefixByte]));
          else if (ch === 'n') client.send({ t: 'switch', to: 'next' });
          else if (ch === 'p') client.send({ t: 'switch', to: 'prev' });
          else if (ch === 'c') client.send({ t: 'switch', to: 'new' });
          else if (ch >= '0' && ch <= '9') client.send({ t: 'switch', to: ch });
          else if (ch === 'd') return finish(0, `[detached from ${sessionName}]`);
          continue;
        }
        if (b === detachByte) {
          if (i > start) client.sendData(chunk.subarray(start, i));
          return finish(0, `[detached from ${sessionName}]`);
        }
        if (b === prefixByte) {
          if (i > start) client.sendData(chunk.subarray(start, i));
          prefixed = true;
          start = i + 1;
        }
      }
      if (start < chunk.length) client.sendData(start === 0 ? chunk : chunk.subarray(start));
    };

    const onResize = () => client.send({ t: 'resize', cols: stdout.columns, rows: stdout.rows });

    client.onData = (b) => stdout.write(b);
    client.onClose = () => finish(1, `[lost the connection to the trail daemon; the session may still be running: trail ls]`);
    client.onMessage = (m: ServerMessage) => {
      switch (m.t) {
        case 'attached':
          sessionName = m.session;
          terminalLabel = `terminal ${m.terminal.index}`;
          if (m.terminal.shell === null) notices.add(`note: terminal ${m.terminal.index} runs ${m.terminal.command[0]}, which has no trail integration (bash, zsh and fish do): its commands are not recorded`);
          return;
        case 'notice':
          // Printed on leaving, so the screen being drawn is not disturbed.
          notices.add(m.message);
          return;
        case 'exit':
          return finish(
            0,
            `[${terminalLabel} of ${sessionName} exited${m.code !== null ? ` with code ${m.code}` : m.signal ? ` on signal ${m.signal}` : ''}; no terminals left]`,
          );
        case 'detached':
          return finish(0, `[detached from ${sessionName}: ${m.reason}]`);
        case 'error':
          return finish(1, `trail: ${m.message}`);
      }
    };

    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onInput);
    stdout.on('resize', onResize);
    client.send({
      t: 'attach',
      session: opts.session,
      terminal: opts.terminal,
      readOnly: opts.readOnly,
      client: `cli:${process.env.USER ?? 'user'}`,
      cols: stdout.columns || 80,
      rows: stdout.rows || 24,
    });
  });
}

export function attachHelp(): string {
  const d = parseKey(process.env.TRAIL_DETACH_KEY ?? 'C-\\') ?? 0x1c;
  const p = parseKey(process.env.TRAIL_PREFIX_KEY ?? 'C-]') ?? 0x1d;
  return `keys while attached: ${keyName(d)} detach; ${keyName(p)} then n next terminal, p previous, c new, 0-9 by number, d detach, ${keyName(p)} sends ${keyName(p)} itself`;
}
