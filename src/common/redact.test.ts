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
