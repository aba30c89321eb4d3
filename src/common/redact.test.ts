import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact, redactRaw, compilePatterns } from './redact.js';
import { stripAnsi } from './ansi.js';

const cases: [string, string][] = [
  ['export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE', 'export AWS_ACCESS_KEY_ID=[REDACTED]'],
  ['curl -H "Authorization: token ghp_abcdefghijklmnopqrstuvwxyz0123456789"', 'curl -H "Authorization: token [REDACTED]"'],
  ['git clone https://oauth2:glpat-abcdefghij0123456789@gitlab.com/x', 'git clone https://oauth2:[REDACTED]@gitlab.com/x'],
  ['SLACK=xoxb-123456789012-abcdefghij', 'SLACK=[REDACTED]'],
  ['curl https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX', 'curl [REDACTED]'],
  ['stripe sk_live_abcdefghijklmnop1234', 'stripe [REDACTED]'],
  ['npm_abcdefghijklmnopqrstuvwxyz0123456789', '[REDACTED]'],
  ['mysql --password hunter22 db', 'mysql --password [REDACTED] db'],
  ['DB_PASSWORD=s3cr3t! ./run', 'DB_PASSWORD=[REDACTED] ./run'],
  ['{"api_key": "abcd1234efgh"}', '{"api_key": "[REDACTED]"}'],
  ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nafter', '-----BEGIN RSA PRIVATE KEY-----[REDACTED]\nafter'],
];

test('known secret shapes are replaced, the rest of the line kept', () => {
  for (const [input, want] of cases) assert.equal(redact(input), want, input);
});

test('ordinary text is left alone', () => {
  for (const s of ['ls -la', 'the token expired yesterday', 'git push origin main', 'tokens: 12']) assert.equal(redact(s), s);
});

test('custom patterns from config', () => {
  assert.equal(redact('id corp-0123456789abcdef', compilePatterns(['corp-[0-9a-f]{16}'])), 'id [REDACTED]');
});

test('raw output: a secret with colours inside or around it is redacted, the colours kept', () => {
  const tok = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
  assert.equal(redactRaw(`tok: \x1b[1m${tok}\x1b[0m\n`), 'tok: \x1b[1m[REDACTED]\x1b[0m\n');
  // grep --color=always marks the match inside the token
  const grep = `${tok.slice(0, 4)}\x1b[01;31m\x1b[K${tok.slice(4, 10)}\x1b[m\x1b[K${tok.slice(10)}\n`;
  const out = redactRaw(grep)!;
  assert.ok(!out.includes(tok.slice(10)), out);
  assert.equal(stripAnsi(out), '[REDACTED]');
  assert.ok(out.includes('\x1b[01;31m'), 'the sequences inside stay');
  assert.equal(redactRaw('password=\x1b[32mhunter2222\x1b[0m'), 'password=\x1b[32m[REDACTED]\x1b[0m');
});

test('raw output that would still show a secret once drawn is not kept', () => {
  // pieced together on screen by a carriage return: no contiguous token in the stream
  const tok = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
  assert.equal(redactRaw(`xxxx${tok.slice(4)}\r${tok.slice(0, 4)}\n`), null);
  assert.equal(redactRaw('plain \x1b[31mred\x1b[0m'), 'plain \x1b[31mred\x1b[0m');
});

test('a user pattern that would backtrack in a JavaScript RegExp runs in linear time', () => {
  const [p] = compilePatterns(['(a+)+$']);
  // a RegExp would not finish on this in the age of the universe; RE2JS takes milliseconds
  const text = 'a'.repeat(50_000) + '!';
  assert.equal(redact(text, [p]), text);
  assert.equal(redact('x aaa', [p]), 'x [REDACTED]');
  assert.throws(() => compilePatterns(['(a)\\1']), /invalid escape/);
  assert.throws(() => compilePatterns(['(?=a)b']), /unsupported/);
});

test('user patterns find secrets after non-ASCII text', () => {
  assert.equal(redact('é😀 corp-abcd', compilePatterns(['corp-[0-9a-f]{4}'])), 'é😀 [REDACTED]');
});

test('patterns tried only near their hints find what they find over the whole text, with the native finder and without', async () => {
  const { DEFAULT_PATTERNS, useHintFinder } = await import('./redact.js');
  const { nativeHints } = await import('../platform/relay.js');
  const everywhere = DEFAULT_PATTERNS.map((p) => ('re' in p ? { name: p.name, re: p.re, keep: p.keep } : p));
  let seed = 11;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const secrets = [...cases.map(([input]) => input), 'Password = hunter2hunter2', 'ApI-KeY: "abcd1234efgh"', 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY00', '--TOKEN s3cr3tvalue', 'token:\n  multi-line-value-here', 'npm_' + 'a'.repeat(36), 'pul-' + 'f'.repeat(40)];
  const filler = ['GET /api/items?page=3 200 12ms user=42', 'ordinary line without anything', 'x'.repeat(1500), 'ASIA is a continent; a passage; tokenizer', ''];
  const parts: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const s = rnd(5) === 0 ? secrets[rnd(secrets.length)] : filler[rnd(filler.length)];
    parts.push(rnd(3) === 0 ? s.toUpperCase() : s);
  }
  // Windows that would begin inside a match crossing a line (found by a fuzzer): as the whole text gives them.
  const x = (n: number) => 'x'.repeat(n);
  for (const t of ['token' + x(1019) + ' password:\ntoken= abcd', 'token' + x(1030) + ' --password\n--token abcd\n', 'token' + x(1019) + ' --password\n--secret\n--token abcd'])
    assert.equal(redact(t, DEFAULT_PATTERNS), redact(t, everywhere), JSON.stringify(t.slice(-40)));
  // Secrets deep inside a long line, and at the very start and end.
  const text = secrets[1] + '\n' + parts.join(rnd(2) ? '\n' : ' ; ') + ' ' + 'y'.repeat(3000) + ' ' + secrets[0];
  const expected = redact(text, everywhere);
  assert.ok(expected.split(REDACTED_WORD).length > 500, 'the text holds secrets');
  const native = nativeHints();
  assert.ok(native, 'the native module is built (npm run build)');
  try {
    for (const finder of [null, native]) {
      useHintFinder(finder);
      assert.equal(redact(text, DEFAULT_PATTERNS), expected, finder ? 'native' : 'regex');
    }
  } finally {
    useHintFinder(null);
  }
});
const REDACTED_WORD = '[REDACTED]';

test('secrets a carriage return or backspace drew over are found as written', async () => {
  const { drawnOverSecrets } = await import('./redact.js');
  assert.deepEqual(drawnOverSecrets('password=hunter2zzz\rprogress\n'), ['hunter2zzz']);
  assert.deepEqual(drawnOverSecrets('\x1b[31mtoken=abcd1234efgh\r\x1b[Kok\r\nnext'), ['abcd1234efgh']);
  assert.deepEqual(drawnOverSecrets('AKIAABCDEFGHIJKLMNOP\rX'), ['AKIAABCDEFGHIJKLMNOP']);
  assert.deepEqual(drawnOverSecrets('10%\r50%\r100%\r\npassword=shown-plainly\r\n'), [], 'progress bars and CRLF hide nothing');
});

test('an assignment is found from its keyword: the values redacted are those found from the start of its word', async () => {
  const { DEFAULT_PATTERNS } = await import('./redact.js');
  // The pattern as it was: from the start of the word that holds the keyword.
  const fromWord = /((?:^|[^A-Za-z0-9])[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[A-Za-z0-9_]*["']?\s*[=:]\s*["']?)([^\s"',;&)}]{4,})/gi;
  const before = DEFAULT_PATTERNS.map((p) => (p.name === 'assignment' ? { ...p, re: fromWord } : p));
  const pieces = ['token', 'SECRET', 'password', 'passwd', 'api_key', 'Api-Key', 'access-key', 'my', '_', '.', '-', 'X', '9', '=', ':', ' ', '  ', '\n', '"', "'", ',', ';', 'abcd', 'hunter2', 'v', ')', '}', '&'];
  let seed = 5;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  let found = 0;
  for (let k = 0; k < 20000; k++) {
    const t = Array.from({ length: 1 + rnd(14) }, () => pieces[rnd(pieces.length)]).join('');
    const want = redact(t, before);
    assert.equal(redact(t, DEFAULT_PATTERNS), want, JSON.stringify(t));
    if (want !== t) found++;
  }
  assert.ok(found > 1000, `${found} texts held a secret`);
});
