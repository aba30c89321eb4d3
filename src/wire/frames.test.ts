import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, FrameError, encodeHeader, encodeJson, FRAME_DATA, FRAME_JSON, MAX_FRAME } from './frames.js';

test('frames round-trip whole, split at every byte, and back to back', () => {
  const data = Buffer.from('\x1b[31mred\x1b[0m ünïcode');
  const wire = Buffer.concat([encodeJson({ t: 'hello', version: 1 }), encodeHeader(FRAME_DATA, data.length), data, encodeJson({ t: 'detach' })]);
  for (let cut = 0; cut <= wire.length; cut++) {
    const d = new FrameDecoder();
    const frames = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
    assert.equal(frames.length, 3, `cut at ${cut}`);
    assert.deepEqual(frames[0], { kind: FRAME_JSON, value: { t: 'hello', version: 1 } });
    assert.equal(frames[1].kind, FRAME_DATA);
    assert.deepEqual(frames[1].kind === FRAME_DATA && frames[1].data, data);
    assert.deepEqual(frames[2], { kind: FRAME_JSON, value: { t: 'detach' } });
    assert.equal(d.pending, 0);
  }
});

test('oversize, empty, unknown-kind and non-JSON frames are errors', () => {
  const big = Buffer.alloc(5);
  big.writeUInt32BE(MAX_FRAME + 1, 0);
  assert.throws(() => new FrameDecoder().push(big), FrameError);
  assert.throws(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 0, 1])), /out of range/);
  assert.throws(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 2, 9, 0])), /unknown frame kind 9/);
  assert.throws(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 2, 1, 0x7b])), /not valid JSON/);
});
