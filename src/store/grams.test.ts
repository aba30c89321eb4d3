import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gramKeys, gramsOf, mayHold } from './grams.js';
import { nativeGrams } from '../platform/relay.js';

const texts = [
  '',
  'ab',
  'abc',
  'GET /api/items?page=3 200 12ms user=42',
  'Mixed CASE and ÄÖÜ äöü, ΣΊΣΥΦΟΣ, 日本語のログ, emoji 🚀🔥 and a tab\there',
  Array.from({ length: 3000 }, (_, i) => `2026-11-26T10:00:${String(i % 60).padStart(2, '0')}Z INFO req=${(i * 2654435761 >>> 0).toString(16)} user=${i}`).join('\n'),
];

test('a chunk bitmap never says no to a text the chunk holds, in any ASCII case; it says no to most it does not', () => {
  const text = texts[5];
  const g = gramsOf(text);
  // Its size follows what the text holds: at most a third of the bits set, and a repetitive text's is small.
  const ones = [...g].reduce((n, b) => n + b.toString(2).replace(/0/g, '').length, 0);
  assert.ok(ones * 3 <= g.length * 8 && ones * 6 > g.length * 8, `${ones} of ${g.length * 8} bits set`);
  assert.ok(gramsOf('GET /api/items 200\n'.repeat(10_000)).length <= 64);
  for (const needle of ['req=', 'INFO REQ', 'user=2999', 'T10:00:59z', text.slice(1234, 1300)]) assert.ok(mayHold(g, gramKeys(needle)), needle);
  const absent = ['ERRCODE-x1y2', 'payment gateway', 'nothing-like-this'].filter((n) => !mayHold(g, gramKeys(n)));
  assert.equal(absent.length, 3);
  // Too short to have a piece, or a chunk from before bitmaps: always a candidate.
  assert.ok(mayHold(g, gramKeys('zz')));
  assert.ok(mayHold(Buffer.alloc(0), gramKeys('anything')));
  // Non-ASCII is taken as it is.
  const u = gramsOf(texts[4]);
  assert.ok(mayHold(u, gramKeys('日本語')));
  assert.ok(mayHold(u, gramKeys('🚀🔥')));
  assert.ok(mayHold(u, gramKeys('mixed case')));
});

test('the native bitmap is the JavaScript one, bit for bit (the daemon writes with one, a search reads with the other)', () => {
  const native = nativeGrams();
  assert.ok(native, 'the native module is built (npm run build)');
  for (const t of texts) assert.deepEqual(native(t), gramsOf(t), t.slice(0, 40));
  assert.throws(() => native(42 as unknown as string), /expected a string/);
});

test('the daemon looks at output once (native): the bitmap, where secret hints start, whether it has control characters', async () => {
  const { nativeScan } = await import('../platform/relay.js');
  const { DEFAULT_PATTERNS, findHints, hintLiterals, useHintFinder } = await import('../common/redact.js');
  const scan = nativeScan();
  assert.ok(scan, 'the native module is built (npm run build)');
  const literals = hintLiterals(DEFAULT_PATTERNS)!;
  useHintFinder(null);
  for (const t of [...texts, 'DB_PASSWORD=x; TOKEN: y; ghp_ and AKIA at the end: xoxb-', 'über Token straße PassWord']) {
    const [grams, hints, controls] = scan(t, literals);
    assert.deepEqual(grams, gramsOf(t));
    assert.deepEqual([...hints], [...(findHints(t, DEFAULT_PATTERNS) as number[])], t.slice(0, 40));
    assert.equal(controls, false);
  }
  // The native look goes a block (4 KiB) at a time: a hint and capitals across each block's end are found as in one piece.
  for (const end of [4096, 8192, 12288])
    for (let at = end - 6; at <= end + 1; at++) {
      const t = 'x'.repeat(at) + 'PassWord=Hunter2 AKIA Token ' + 'y'.repeat(at % 7);
      const [grams, hints] = scan(t, literals);
      assert.deepEqual(grams, gramsOf(t), `at ${at}`);
      assert.deepEqual([...hints], [...(findHints(t, DEFAULT_PATTERNS) as number[])], `at ${at}`);
    }
  assert.equal(scan('plain\n\tthen \x1b[31mred\x1b[0m', literals)[2], true);
  assert.equal(scan('a carriage\rreturn', literals)[2], true);
});
