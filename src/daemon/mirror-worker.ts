// The screen mirrors' thread: every terminal's headless xterm parses here, off
// the daemon's main thread, so PTY bytes reach clients without waiting for the
// parser and a 10,000-line serialize never stalls another terminal.
import { parentPort } from 'node:worker_threads';
import xtermHeadless from '@xterm/headless';
import serializePkg from '@xterm/addon-serialize';
import type { MirrorQuery, ToWorker, FromWorker } from './mirror-protocol.js';

const { Terminal } = xtermHeadless;
const { SerializeAddon } = serializePkg as unknown as { SerializeAddon: new () => import('@xterm/addon-serialize').SerializeAddon };

type Entry = {
  term: InstanceType<typeof Terminal>;
  serializer: import('@xterm/addon-serialize').SerializeAddon;
  scrollback: number;
  promptEnd: { y: number; x: number } | null;
};
const mirrors = new Map<string, Entry>();
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

function screenText(e: Entry): string {
  const buf = e.term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < e.term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

function cursor(e: Entry): { y: number; x: number } {
  const buf = e.term.buffer.active;
  return { y: buf.baseY + buf.cursorY, x: buf.cursorX };
}

function textBetween(e: Entry, from: { y: number; x: number }, to: { y: number; x: number }): string {
  const buf = e.term.buffer.active;
  let out = '';
  for (let y = from.y; y <= to.y; y++) {
    const line = buf.getLine(y);
    if (!line) continue;
    const text = line.translateToString(y !== to.y, y === from.y ? from.x : 0, y === to.y ? to.x : undefined);
    out += text;
    if (y !== to.y && !buf.getLine(y + 1)?.isWrapped) out += '\n';
  }
  return out.trimEnd();
}

function answer(e: Entry, q: MirrorQuery): unknown {
  switch (q) {
    case 'serialize':
      return e.serializer.serialize({ scrollback: e.scrollback });
    case 'screenText':
      return screenText(e);
    case 'markPromptEnd':
      e.promptEnd = cursor(e);
      return null;
    case 'typedSincePromptEnd':
      return e.promptEnd ? textBetween(e, e.promptEnd, cursor(e)) : null;
    case 'sync':
      return null;
  }
}

port.on('message', (m: ToWorker) => {
  try {
    if (m.op === 'create') {
      const term = new Terminal({ cols: m.cols, rows: m.rows, scrollback: m.scrollback, allowProposedApi: true });
      const serializer = new SerializeAddon();
      term.loadAddon(serializer as never);
      mirrors.set(m.id, { term, serializer, scrollback: m.scrollback, promptEnd: null });
      return;
    }
    const e = mirrors.get(m.id);
    if (!e) {
      if (m.op === 'query') post({ op: 'answer', q: m.q, value: null });
      return;
    }
    switch (m.op) {
      case 'write': {
        const n = m.data.length;
        e.term.write(m.data, () => post({ op: 'ack', id: m.id, bytes: n }));
        return;
      }
      case 'resize':
        e.term.resize(m.cols, m.rows);
        return;
      case 'query':
        e.term.write('', () => {
          let value: unknown = null;
          try {
            value = answer(e, m.kind);
          } catch (err) {
            post({ op: 'error', message: `mirror ${m.id}: ${(err as Error).message}` });
          }
          post({ op: 'answer', q: m.q, value });
        });
        return;
      case 'dispose':
        e.term.dispose();
        mirrors.delete(m.id);
        return;
    }
  } catch (err) {
    post({ op: 'error', message: `mirror ${m.id}: ${(err as Error).stack ?? err}` });
  }
});
