// The socket's framing: [u32 big-endian length][u8 kind][payload].
// Length covers kind + payload. Control messages are JSON; terminal bytes are
// raw so the hot path never encodes or parses them.
export const FRAME_JSON = 1;
export const FRAME_DATA = 2;
export const MAX_FRAME = 16 * 1024 * 1024;

export type Frame = { kind: typeof FRAME_JSON; value: unknown } | { kind: typeof FRAME_DATA; data: Buffer };

export class FrameError extends Error {}

export function encodeHeader(kind: number, payloadLength: number): Buffer {
  const h = Buffer.allocUnsafe(5);
  h.writeUInt32BE(payloadLength + 1, 0);
  h[4] = kind;
  return h;
}

export function encodeJson(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return Buffer.concat([encodeHeader(FRAME_JSON, body.length), body]);
}

/** Incremental decoder: feed it socket chunks, it yields whole frames. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Frame[] = [];
    for (;;) {
      if (this.buffered < 5) break;
      const head = this.peek(5);
      const len = head.readUInt32BE(0);
      if (len < 1 || len > MAX_FRAME) throw new FrameError(`frame length ${len} is out of range (1..${MAX_FRAME})`);
      if (this.buffered < 4 + len) break;
      const whole = this.take(4 + len);
      const kind = whole[4];
      const payload = whole.subarray(5);
      if (kind === FRAME_DATA) out.push({ kind: FRAME_DATA, data: payload });
      else if (kind === FRAME_JSON) {
        let value: unknown;
        try {
          value = JSON.parse(payload.toString('utf8'));
        } catch {
          throw new FrameError('a control frame is not valid JSON');
        }
        out.push({ kind: FRAME_JSON, value });
      } else throw new FrameError(`unknown frame kind ${kind}`);
    }
    return out;
  }

  /** Bytes held that do not yet make a whole frame (a half frame at close). */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    return Buffer.concat(this.chunks, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first.length >= n) {
      // The common case: the frame lies in one read; no copy.
      const head = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return head;
    }
    // The frame spans reads: join just the reads it needs.
    let have = 0;
    let k = 0;
    while (have < n) have += this.chunks[k++].length;
    const joined = Buffer.concat(this.chunks.slice(0, k), have);
    const rest = joined.subarray(n);
    this.chunks = rest.length ? [rest, ...this.chunks.slice(k)] : this.chunks.slice(k);
    this.buffered -= n;
    return joined.subarray(0, n);
  }
}
