import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzyScore, queryTerms } from './fuzzy.js';

const s = (q: string, text: string) => fuzzyScore(queryTerms(q), text);

test('every term must match, in order within each term, across gaps', () => {
  assert.ok(s('gco', 'git checkout -b fix') > 0);
  assert.ok(s('alp oe', 'echo alpha-one') > 0, 'letters far apart still match');
  assert.equal(s('gcx', 'git checkout'), -1);
  assert.ok(s('git fix', 'git checkout -b fix') > 0);
  assert.equal(s('git zzz', 'git checkout'), -1);
  assert.ok(s('', 'anything') === 0);
});

test('smart case: lower case matches either, upper case only itself', () => {
  assert.ok(s('readme', 'cat README.md') > 0);
  assert.equal(s('README', 'cat readme.md'), -1);
});

test('a whole word beats letters spread out; a run beats a scatter', () => {
  assert.ok(s('test', 'npm test') > s('test', 'the east stream t'));
  assert.ok(s('dock', 'docker ps') > s('dock', 'd o c k'));
});
