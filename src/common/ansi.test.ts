import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stripAnsi } from './ansi.js';

test('colours, OSC titles and cursor moves are removed', () => {
  assert.equal(stripAnsi('\x1b[1;31merror\x1b[0m: bad\r\n\x1b]0;title\x07done\x1b[K\r\n'), 'error: bad\ndone');
});

test('carriage-return progress bars keep their last state; backspace erases', () => {
  assert.equal(stripAnsi('10%\r50%\r100%\r\nok'), '100%\nok');
  assert.equal(stripAnsi('abc\b\bX\n'), 'aXc');
});

test('trailing spaces and blank lines are dropped (invisible on a terminal)', () => {
  assert.equal(stripAnsi('a   \n\n\n'), 'a');
});

test('erase in line takes away what a terminal would no longer show', () => {
  assert.equal(stripAnsi('done 50%\x1b[K\rok\x1b[K\n'), 'ok');
  assert.equal(stripAnsi('password=hunter2abcd\r\x1b[Kok overwritten\n'), 'ok overwritten');
  assert.equal(stripAnsi('abcdef\r\x1b[2Kxy'), 'xy');
  assert.equal(stripAnsi('abcdef\x1b[1Kz'), '      z');
});
