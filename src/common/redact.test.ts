import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact, compilePatterns } from './redact.js';

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
