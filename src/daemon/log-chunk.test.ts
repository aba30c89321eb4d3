import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkOf, chunksOfBytes, type KeyState, type Sent } from './log-chunk.js';
import { nativeScan, nativeScanBytes, nativeShownBytes } from '../platform/relay.js';
import { DEFAULT_PATTERNS, compilePatterns } from '../common/redact.js';
import { gramsOf } from '../store/grams.js';
import { CHUNK_LINES, rawLines, type LogChunk } from '../store/services.js';

const meta = { service: 'web', stream: 'out' as const, at: 1, end_at: 2 };
const sent = (text: string): Sent => ({ ...meta, data: new Uint8Array(Buffer.from(text, 'utf8')) });
const asText = (t: string | Uint8Array) => (typeof t === 'string' ? t : Buffer.from(t).toString('utf8'));
/** The colours' copy as a reader gets it: the bytes as written, or rebuilt from what the text lacks of them. */
const rawOf = (c: LogChunk) =>
  c.colours ? rawLines({ text: asText(c.text), raw: null, colours: asText(c.colours) })!.join('\n') : c.raw === null ? null : asText(c.raw);

test('a chunk made from the bytes a service wrote is the one made from its text: the same lines, redaction, colours and bitmap, whatever the output holds', () => {
  const scanBytes = nativeScanBytes();
  const scan = nativeScan();
  assert.ok(scanBytes && scan, 'the native module is built');
  const flood = Array.from({ length: 3000 }, (_, i) => `log line ${i}: GET /api/items?page=3 200 12ms user=42`).join('\n');
  const colored = Array.from({ length: 3000 }, (_, i) => `\x1b[32mlog line ${i}\x1b[0m: \x1b[1mGET\x1b[22m /api/items?page=3 \x1b[33m200\x1b[39m 12ms`).join('\n');
  const shown = nativeShownBytes();
  const cases = [
    flood,
    'listening on :3000',
    '',
    '\n\n',
    flood + '\nAPI_TOKEN=abcd1234efgh5678 in the middle\n' + flood.slice(0, 5000),
    'Password: hunter2hunter2',
    'aws key AKIAABCDEFGHIJKLMNOP seen',
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabcdefghijklmnop\n-----END RSA PRIVATE KEY-----\nafter',
    '\x1b[32mready\x1b[0m in 120 ms\nplain line',
    'progress 10%\rprogress 100%',
    'héllo wörld — ünïcode ✓ 日本語\nsecond line token=sekrit-value-1',
    'naïve café\n' + flood.slice(0, 70_000),
    colored,
    colored + '\n\x1b[1mpassword\x1b[0m=hunter2hunter2 in bold',
    'pass\x01word=hunter2hunter2 joined by a control character',
    '\x1b[33mwarn\x1b[0m  \t \nplain with blanks   \n\x1b[2m\t\tindented\x1b[0m',
    '\x1b]0;title\x07shown\r\nnext\r',
    '\x1b]0;pass\nword=hunter2hunter2\x07 an OSC its line cuts off',
    'pass\x1b]x\n\x07word=hunter2hunter2 pieced together by an OSC across lines',
    '\x1b[1mtoken=a\x01\x01\x01 a value only with its controls (of four characters as written, one as shown)',
    '\x1b[31mred\x1b[Kerased\x1b[2K',
    'a\x1b(Bcharset\x1b(\nb\x1b\nc\x1b[\nd\x1b',
    '\x1b[32mok\x1b[0m\x7f\x07 bell and delete\nback\bspace',
    '\x1b[32mclean\x1b[0m\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA',
  ];
  for (const secrets of [DEFAULT_PATTERNS, [...DEFAULT_PATTERNS, ...compilePatterns(['user=\\d+'])]]) {
    for (const text of cases) {
      const want = chunkOf('s', meta, text, secrets, scan);
      const got = chunksOfBytes('s', sent(text), secrets, scanBytes, scan, { open: false }, shown);
      assert.equal(got.length, 1, text.slice(0, 40));
      const g = got[0];
      assert.equal(asText(g.text), want.text, text.slice(0, 40));
      assert.equal(g.lines, want.lines, text.slice(0, 40));
      assert.equal(rawOf(g), want.raw, text.slice(0, 40));
      // The bitmap, where one was made, is the one search asks of the text.
      if (g.grams) assert.deepEqual(Buffer.from(g.grams), gramsOf(asText(g.text)), text.slice(0, 40));
      // Without a native module, the same again.
      assert.equal(asText(chunksOfBytes('s', sent(text), secrets, null, null)[0].text), want.text);
    }
  }
  // Secrets are gone from what is stored, and the flood is stored from its bytes (no string made).
  assert.doesNotMatch(asText(chunksOfBytes('s', sent(cases[4]), DEFAULT_PATTERNS, scanBytes, scan)[0].text), /abcd1234efgh5678/);
  assert.doesNotMatch(asText(chunksOfBytes('s', sent(cases[7]), DEFAULT_PATTERNS, scanBytes, scan)[0].text), /MIIEowIBAAKCAQEA/);
  assert.ok(chunksOfBytes('s', sent(flood), DEFAULT_PATTERNS, scanBytes, scan)[0].text instanceof Uint8Array);
  // Coloured output too: what it shows is made natively, not decoded and taken apart in JavaScript.
  const c = chunksOfBytes('s', sent(colored), DEFAULT_PATTERNS, scanBytes, scan, { open: false }, shown)[0];
  assert.ok(c.text instanceof Uint8Array);
  assert.match(asText(c.text), /^log line 0: GET \/api\/items\?page=3 200 12ms\n/);
  assert.equal(rawOf(c), colored);
  // kept as what the text lacks of it: fewer bytes than the lines again (this line has five escapes)
  assert.ok(c.raw === null && c.colours && c.colours.length < colored.length * 0.9, `${c.colours?.length} bytes of colours for ${colored.length}`);
});

test('coloured output made natively is what chunkOf makes of it, for any mix of escape sequences, controls, blanks and secrets', () => {
  const scanBytes = nativeScanBytes();
  const scan = nativeScan();
  const shown = nativeShownBytes();
  assert.ok(scanBytes && scan && shown, 'the native module is built');
  const pieces = [
    'log', ' line', ' 42', ':', '\t', '  ', '\n', '\r\n', '\r', '\b', '\x7f', '\x01', '\x07', '\x1b', '\x1b[', '\x1b[32m', '\x1b[0m', '\x1b[1;31m',
    '\x1b[K', '\x1b[2K', '\x1b[1K', '\x1b[3D', '\x1b]0;t\x07', '\x1b]8;;http://x\x1b\\', '\x1b]2;open', '\x1b(B', '\x1b(', '\x1b=', '\x1bP', 'pass', 'word', '=hunter2hunter2',
    'token', 'AKIA', 'ABCDEFGHIJKLMNOP', 'PRIVATE KEY-----', '-----BEGIN ', 'x', '=a', '\x01\x01\x01', '--token', ' abcd', '= ', '"',
    '✓', ' ➜ ', 'é', '日本', '😀', '\u00a0', '\u3000', '\u2028', '\ufeff', '\u0085', '\u009b', 'š3t', '\x1b(é', '\x1bé', '\x1b[1é', '\udc00', '\ud83d',
  ];
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
  let native = 0;
  for (let k = 0; k < 3000; k++) {
    // As the pipe gives it: a lone surrogate is U+FFFD by then.
    const text = Buffer.from(Array.from({ length: 1 + rand(30) }, () => pieces[rand(pieces.length)]).join('')).toString('utf8');
    const want = chunkOf('s', meta, text, DEFAULT_PATTERNS, scan);
    const g: LogChunk = chunksOfBytes('s', sent(text), DEFAULT_PATTERNS, scanBytes, scan, { open: false }, shown)[0];
    const at = JSON.stringify(text);
    assert.equal(asText(g.text), want.text, at);
    assert.equal(g.lines, want.lines, at);
    assert.equal(rawOf(g), want.raw, at);
    if (g.grams) assert.deepEqual(Buffer.from(g.grams), gramsOf(asText(g.text)), at);
    if (g.text instanceof Uint8Array && text.includes('\x1b')) native++;
  }
  // Bytes that are not UTF-8 are the caller's (what it decodes them to is kept).
  for (const bad of [[0x1b, 0x5b, 0x33, 0x6d, 0xff, 0x0a, 0x61], [0xc3, 0x0a, 0x1b, 0x5b, 0x6d], [0xe2, 0x9c, 0x1b, 0x5b, 0x6d]]) {
    const data = new Uint8Array(bad);
    const want = chunkOf('s', meta, Buffer.from(data).toString('utf8'), DEFAULT_PATTERNS, scan);
    const g: LogChunk = chunksOfBytes('s', { ...meta, data }, DEFAULT_PATTERNS, scanBytes, scan, { open: false }, shown)[0];
    assert.equal(asText(g.text), want.text);
    assert.equal(rawOf(g), want.raw);
  }
  // Most of these mixes are the caller's to make, but not all: the native way was tried and agreed.
  assert.ok(native > 100, `${native} coloured texts made natively`);
});

test('more lines than a chunk may hold are cut into chunks that each hold at most that many, with every line kept', () => {
  const text = '\n'.repeat(CHUNK_LINES + 10) + 'last';
  for (const scanBytes of [nativeScanBytes(), null]) {
    const chunks = chunksOfBytes('s', sent(text), DEFAULT_PATTERNS, scanBytes, nativeScan());
    assert.equal(chunks.length, 2);
    assert.ok(chunks.every((c) => c.lines <= CHUNK_LINES));
    assert.equal(chunks.reduce((n, c) => n + c.lines, 0), CHUNK_LINES + 11);
    assert.equal(asText(chunks[1].text).split('\n').pop(), 'last');
  }
});

test('a private key written a line at a time, across chunks, is redacted whole; a mere mention of its header takes nothing after it', () => {
  const key: KeyState = { open: false };
  const lines = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'QWERTYpemBodyLine2zzzz', '-----END PRIVATE KEY-----', 'after the key'];
  const stored = lines.map((l) => asText(chunksOfBytes('s', sent(l), DEFAULT_PATTERNS, nativeScanBytes(), nativeScan(), key)[0].text));
  assert.doesNotMatch(stored.join('\n'), /MIIEvQ|QWERTY|END PRIVATE/);
  assert.equal(stored[4], 'after the key');
  assert.equal(key.open, false);
  const mention = 'config must start with -----BEGIN PRIVATE KEY-----\n' + Array.from({ length: 1000 }, (_, i) => `normal log line ${i}`).join('\n');
  const c = chunksOfBytes('s', sent(mention), DEFAULT_PATTERNS, nativeScanBytes(), nativeScan(), key)[0];
  assert.equal(c.lines, 1001);
  assert.match(asText(c.text), /normal log line 999$/);
});

test('a secret a carriage return drew over is not kept: the line goes whole, and its colours with it', () => {
  for (const written of ['password=hunter2zzz\rprogress', 'AKIAABCDEFGHIJKLMNOP\rX', '\x1b[31mpassword=hunter2abcd\r\x1b[Kok overwritten']) {
    const c = chunksOfBytes('s', sent(written + '\nnext line'), DEFAULT_PATTERNS, nativeScanBytes(), nativeScan())[0];
    assert.equal(asText(c.text), '[REDACTED]\nnext line', written);
    assert.equal(c.raw, null);
  }
});

test('a line too long to wait for is cut after a space: a secret and its keyword stay together', async () => {
  const { wholeLines } = await import('./services.js');
  const taken: string[] = [];
  const feed = wholeLines((b) => taken.push(b.toString('utf8')));
  feed.push(Buffer.from('x'.repeat(65_540) + ' tok'));
  feed.push(Buffer.from('en=heldcut77776666 d\n'));
  assert.deepEqual(taken.map((t) => t.slice(-12)), ['x'.repeat(11) + ' ', 'eldcut77776666 d'.slice(-12)]);
  assert.equal(taken[1], 'token=heldcut77776666 d');
});
