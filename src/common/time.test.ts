import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWhen } from './time.js';

test('relative, named and ISO times', () => {
  const now = Date.parse('2026-11-24T15:30:00');
  assert.equal(parseWhen('2h', now), now - 2 * 3600e3);
  assert.equal(parseWhen('3d', now), now - 3 * 86400e3);
  assert.equal(parseWhen('90m ago', now), now - 90 * 60e3);
  assert.equal(parseWhen('today', now), Date.parse('2026-11-24T00:00:00'));
  assert.equal(parseWhen('yesterday', now), Date.parse('2026-11-23T00:00:00'));
  assert.equal(parseWhen('2026-11-20', now), Date.parse('2026-11-20'));
  assert.equal(parseWhen('last tuesday', now), null);
});
