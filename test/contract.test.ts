// The contract of operations (src/contract/ops.ts): every operation in it is
// bound to a handler, every handler is in it, results are checked against it
// (the tests run the daemon with TRAIL_CHECK_OUTPUT=1), and the client's calls
// are typed by it: the lines marked @ts-expect-error below fail the build the
// day the contract stops catching those mistakes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ops } from '../src/contract/ops.js';
import { operations } from '../src/api/index.js';
import type { DaemonClient } from '../src/client/daemon-client.js';

test('every operation of the contract has its handler, and every handler is in the contract', () => {
  assert.deepEqual([...operations.keys()].sort(), Object.keys(ops).sort());
  for (const [name, op] of operations) {
    assert.equal(op.input, ops[name as keyof typeof ops].input, `${name}: the input the daemon checks is the contract's`);
    assert.equal(op.output, ops[name as keyof typeof ops].output);
  }
});

test('the contract rejects bad input with the field that is wrong', () => {
  const r = ops['command.search'].input.safeParse({ text: '', limit: 0 });
  assert.equal(r.success, false);
  assert.deepEqual(r.error?.issues.map((i) => i.path.join('.')).sort(), ['limit', 'text']);
});

// Never run: compiled, so that a call the contract would allow is a build error here.
export async function typedCalls(c: DaemonClient): Promise<void> {
  // @ts-expect-error an operation that does not exist
  await c.call('trail.nope', {});
  // @ts-expect-error a field the operation does not take
  await c.call('trail.log', { limt: 5 });
  // @ts-expect-error a field of the wrong type
  await c.call('command.show', { id: '5' });
  const list = await c.call('trail.log', { limit: 5 });
  // @ts-expect-error results are typed too
  void list[0].exitcode;
  void list[0].exitCode;
}
