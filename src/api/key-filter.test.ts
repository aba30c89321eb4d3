import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyFilter } from './key-filter.js';

const keys = { detach: 0x1c, prefix: 0x1d };
const show = (acts: ReturnType<KeyFilter['push']>) =>
  acts.map((a) =>
    a.kind === 'data' ? `data:${a.data.toString()}` : a.kind === 'switch' ? `switch:${a.to}` : a.kind === 'unbound' ? `unbound:${a.key}` : a.kind === 'session' ? `session:${a.index}` : a.kind,
  );

test('plain typing passes through whole', () => {
  const f = new KeyFilter(keys, false);
  const chunk = Buffer.from('ls -la\r');
  const acts = f.push(chunk);
  assert.deepEqual(show(acts), ['data:ls -la\r']);
  assert.equal((acts[0] as { data: Buffer }).data, chunk, 'no copy for the common case');
});

test('the detach key ends the input; bytes before it are sent', () => {
  assert.deepEqual(show(new KeyFilter(keys, false).push(Buffer.from('ab\x1ccd'))), ['data:ab', 'detach']);
});

test('prefix then a key switches, across chunk boundaries too', () => {
  const f = new KeyFilter(keys, false);
  assert.deepEqual(show(f.push(Buffer.from('x\x1d'))), ['data:x']);
  assert.deepEqual(show(f.push(Buffer.from('ny'))), ['switch:next', 'data:y']);
  assert.deepEqual(show(f.push(Buffer.from('\x1dp\x1dc\x1d3'))), ['switch:prev', 'switch:new', 'switch:3']);
  assert.deepEqual(show(f.push(Buffer.from('\x1d\x1d'))), ['data:\x1d']);
  assert.deepEqual(show(f.push(Buffer.from('\x1dd'))), ['detach']);
  assert.deepEqual(show(f.push(Buffer.from('\x1dz!'))), ['unbound:z', 'data:!'], 'an unbound key after the prefix is named, never sent');
  assert.deepEqual(show(f.push(Buffer.from('\x1d\x1cx'))), ['data:\x1c', 'data:x'], 'prefix then the detach key sends the detach key');
  assert.deepEqual(show(f.push(Buffer.from('\x1dl\x1d?'))), ['switch:last', 'help']);
});

test('prefix s offers the sessions; the next key picks one by number or stays', () => {
  const f = new KeyFilter(keys, false);
  assert.deepEqual(show(f.push(Buffer.from('\x1ds'))), ['sessions']);
  assert.ok(f.pending);
  assert.deepEqual(show(f.push(Buffer.from('2ls'))), ['session:2', 'data:ls']);
  assert.deepEqual(show(f.push(Buffer.from('\x1dsq'))), ['sessions', 'session:null']);
});

test('a read-only client can only detach', () => {
  const f = new KeyFilter(keys, true);
  assert.deepEqual(show(f.push(Buffer.from('rm -rf /\r\x1dc'))), []);
  assert.deepEqual(show(f.push(Buffer.from('q\x1c'))), ['detach']);
});
