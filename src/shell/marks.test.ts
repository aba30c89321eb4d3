import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MarkScanner, MarkStripper, decodeParam, encodeParam } from './marks.js';

test('parameter escaping round-trips backslashes, semicolons, controls and unicode', () => {
  for (const s of ['plain', 'a;b', 'back\\slash', 'new\nline\ttab', 'ünï ✓ 😀', '\x1b]0;x\x07', ' lead', '\\x41 literal']) {
    const enc = encodeParam(s);
    assert.doesNotMatch(enc, /[;\x00-\x20\x7f]/);
    assert.equal(decodeParam(enc), s);
  }
  assert.equal(decodeParam('a\\x3bb\\\\c'), 'a;b\\c');
});

test('signed marks are trusted, unsigned ones are not', () => {
  const sc = new MarkScanner('N1');
  const chunk = 'x\x1b]633;E;ls\\x20-la;N1\x07y\x1b]633;D;0\x07';
  const found = sc.scan(Buffer.from(chunk));
  assert.deepEqual(found, [
    { mark: { kind: 'osc633', code: 'E', params: ['ls -la'], trusted: true }, start: 1, end: chunk.indexOf('y') },
    { mark: { kind: 'osc633', code: 'D', params: ['0'], trusted: false }, start: 23, end: chunk.length },
  ]);
  // a terminal whose shell we did not set up trusts no 633 mark at all
  assert.deepEqual(new MarkScanner(null).scan(Buffer.from('\x1b]633;A;N1\x07'))[0].mark, { kind: 'osc633', code: 'A', params: ['N1'], trusted: false });
});

test('a mark split across chunks is found once, ST-terminated marks too', () => {
  const sc = new MarkScanner('N');
  assert.deepEqual(sc.scan(Buffer.from('out\x1b]633;P;Cwd=/ho')), []);
  const f = sc.scan(Buffer.from('me;N\x1b\\more'));
  assert.deepEqual(f, [{ mark: { kind: 'osc633', code: 'P', params: ['Cwd=/home'], trusted: true }, start: 0, end: 6 }]);
});

test('OSC 133, OSC 7 and alternate-screen switches', () => {
  const sc = new MarkScanner(null);
  const f = sc.scan(Buffer.from('\x1b]133;D;2\x07\x1b]7;file://host/tmp/a%20b\x07\x1b[?1049h\x1b[?1049l\x1b]0;title\x07'));
  assert.deepEqual(
    f.map((x) => x.mark),
    [
      { kind: 'osc133', code: 'D', params: ['2'] },
      { kind: 'cwd', dir: '/tmp/a b' },
      { kind: 'altscreen', on: true },
      { kind: 'altscreen', on: false },
    ],
  );
});

test('a read that ends on a lone ESC, or inside ESC [ ?, loses no mark', () => {
  const stream = Buffer.from('out\x1b]633;C;N\x07text\x1b[?1049hfull\x1b[?1049lback\x1b]633;D;0;N\x07');
  const whole = new MarkScanner('N').scan(stream).map((f) => f.mark);
  assert.equal(whole.length, 4);
  for (let cut = 1; cut < stream.length; cut++) {
    const sc = new MarkScanner('N');
    const marks = [...sc.scan(stream.subarray(0, cut)), ...sc.scan(stream.subarray(cut))].map((f) => f.mark);
    assert.deepEqual(marks, whole, `cut at ${cut}`);
  }
});

test('a DEC private mode at the very end of a read is no alternate-screen switch and no error', () => {
  const sc = new MarkScanner('N');
  assert.deepEqual(sc.scan(Buffer.from('prompt\x1b[?2004l')), []);
  assert.deepEqual(sc.scan(Buffer.from('\x1b[?1l\x1b>')), []);
  assert.deepEqual(sc.scan(Buffer.from('x\x1b[?1049')).length, 0);
  assert.deepEqual(sc.scan(Buffer.from('h')).map((f) => f.mark), [{ kind: 'altscreen', on: true }]);
});

test('a command line far longer than a read is kept as head and tail with its size, and trusted', () => {
  const line = 'echo ' + 'a b '.repeat(300_000) + 'END-OF-LINE';
  const stream = Buffer.from(`pre\x1b]633;E;${encodeParam(line)};N\x07\x1b]633;C;7;N\x07out`);
  const sc = new MarkScanner('N');
  const marks = [];
  for (let i = 0; i < stream.length; i += 4096) marks.push(...sc.scan(stream.subarray(i, i + 4096)).map((f) => f.mark));
  assert.equal(marks.length, 2);
  const e = marks[0];
  assert.ok(e.kind === 'osc633' && e.trusted && e.code === 'E');
  if (e.kind !== 'osc633') return;
  assert.ok(e.params[0].startsWith('echo a b a b '), e.params[0].slice(0, 40));
  assert.ok(e.params[0].endsWith(' END-OF-LINE'), e.params[0].slice(-40));
  assert.match(e.params[0], new RegExp(`\\[${line.length} bytes in all: head and tail kept\\]`));
  assert.equal(e.cut, line.length);
  assert.ok(e.params[0].length < 80_000);
  assert.deepEqual(marks[1], { kind: 'osc633', code: 'C', params: ['7'], trusted: true });
  // an unsigned long mark is not trusted
  const forged = new MarkScanner('N').scan(Buffer.from(`\x1b]633;E;${'x'.repeat(200_000)};WRONG\x07`));
  assert.equal(forged.length, 1);
  assert.equal(forged[0].mark.kind === 'osc633' && forged[0].mark.trusted, false);
});

test('trail marks are stripped from what clients get, split anywhere; other sequences pass', () => {
  const stream = Buffer.from('a\x1b]633;A;N\x07$ \x1b]633;B;N\x07ls\r\n\x1b[31mred\x1b]0;title\x07\x1b]633;D;0;N\x1b\\b\x1b]63x\x1b');
  const want = 'a$ ls\r\n\x1b[31mred\x1b]0;title\x07b\x1b]63x\x1b';
  for (let cut = 0; cut <= stream.length; cut++) {
    const st = new MarkStripper();
    const got = Buffer.concat([st.strip(stream.subarray(0, cut)), st.strip(stream.subarray(cut)), st.strip(Buffer.from('!'))]).toString('latin1');
    assert.equal(got, want + '!', `cut at ${cut}`);
  }
  // an unterminated mark is ended by the next sequence, and a mark that starts there is removed too
  const two = Buffer.from('x\x1b]633;E;cut-off\x1b]633;A;N\x07y\x1b]633;P;N\x1b[1mz');
  for (let cut = 0; cut <= two.length; cut++) {
    const st = new MarkStripper();
    const got = Buffer.concat([st.strip(two.subarray(0, cut)), st.strip(two.subarray(cut))]).toString('latin1');
    assert.equal(got, 'xy\x1b[1mz', `cut at ${cut}`);
  }
  const plain = Buffer.from('no escapes here');
  assert.equal(new MarkStripper().strip(plain), plain, 'a chunk without ESC is passed as it is');
});
