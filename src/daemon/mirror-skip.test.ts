import { test } from 'node:test';
import assert from 'node:assert/strict';
import xtermHeadless from '@xterm/headless';
import serializePkg from '@xterm/addon-serialize';
import { skippableBytes, dropFront } from './mirror-skip.js';

const { Terminal } = xtermHeadless;
const { SerializeAddon } = serializePkg as unknown as { SerializeAddon: new () => import('@xterm/addon-serialize').SerializeAddon };

function mirror(rows: number, scrollback: number) {
  const term = new Terminal({ cols: 60, rows, scrollback, allowProposedApi: true });
  const ser = new SerializeAddon();
  term.loadAddon(ser as never);
  const write = (b: Buffer | string) => new Promise<void>((r) => term.write(b, r));
  return { term, write, serialize: () => ser.serialize({ scrollback }) };
}

// The stream a person would produce: a coloured prompt, a big plain output, a coloured tail.
function stream(lines: number): Buffer[] {
  const chunks: Buffer[] = [Buffer.from('\x1b[1;32muser@host\x1b[0m:~$ cat big.txt\r\n')];
  let s = '';
  for (let i = 1; i <= lines; i++) {
    s += `line ${i} ${'x'.repeat(i % 97)} é\tend\r\n`;
    if (s.length > 3000) {
      chunks.push(Buffer.from(s));
      s = '';
    }
  }
  chunks.push(Buffer.from(s + 'tail plain\r\n\x1b[31mred\x1b[0m done\r\n$ '));
  return chunks;
}

test('dropping what the lines after it push out gives the same screen and scrollback', async () => {
  const rows = 24;
  const scrollback = 500;
  const chunks = stream(5000);
  const full = mirror(rows, scrollback);
  for (const c of chunks) await full.write(c);

  const skipped = mirror(rows, scrollback);
  await skipped.write(chunks[0]);
  const queue = chunks.slice(1);
  const n = skippableBytes(queue, scrollback + 2 * rows + 2);
  const total = queue.reduce((a, c) => a + c.length, 0);
  assert.ok(n > total * 0.8, `most of the output is skippable (${n} of ${total})`);
  dropFront(queue, n);
  for (const c of queue) await skipped.write(c);
  assert.equal(skipped.serialize(), full.serialize());
  assert.equal(skipped.term.buffer.active.cursorX, full.term.buffer.active.cursorX);
  assert.equal(skipped.term.buffer.active.baseY, full.term.buffer.active.baseY);
});

test('nothing past an escape sequence or C1 control is dropped, and too few lines drop nothing', () => {
  const lots = Buffer.from('abc\r\n'.repeat(2000));
  // the plain run ends at the ESC: only lines before it can go, and only if enough follow within the run
  assert.equal(skippableBytes([Buffer.from('x\x1b[31m'), lots], 100), 0);
  assert.equal(skippableBytes([lots, Buffer.from('\x1b[31m')], 3000), 0);
  const n = skippableBytes([lots, Buffer.from('\x1b[2J'), lots], 100);
  assert.ok(n > 0 && n < lots.length, 'stops at the ESC');
  assert.equal(lots.subarray(n, n + 2).toString(), '\r\n');
  assert.equal(skippableBytes([Buffer.from('a\xc2\x9bb'), lots], 100), 0, 'C2 9B is CSI');
  assert.ok(skippableBytes([Buffer.from('a\xc2\xa9b\r\n'), lots], 100) > 0, 'C2 A9 is ©');
  assert.equal(skippableBytes([Buffer.from('a\x0eb\r\n'), lots], 100), 0, 'SO switches charsets');
});
