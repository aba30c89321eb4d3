// Keeps a command's output within bounds while it streams: the first bytes and
// the last bytes, and the count of all of them. Nothing is decoded or stripped
// until the command ends, so the terminal's hot path only appends references.
import { stripAnsi } from '../common/ansi.js';

export const HEAD_TEXT = 64 * 1024;
export const TAIL_TEXT = 256 * 1024;
const HEAD_RAW = 96 * 1024;
const TAIL_RAW = 384 * 1024;
const OUR_MARKS = /\x1b\]633;[^\x07\x1b]*(?:\x07|\x1b\\)?/g;

export class OutputCapture {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;
  total = 0;

  push(b: Buffer): void {
    this.total += b.length;
    if (this.headBytes < HEAD_RAW) {
      const take = Math.min(b.length, HEAD_RAW - this.headBytes);
      this.head.push(take === b.length ? b : b.subarray(0, take));
      this.headBytes += take;
      if (take === b.length) return;
      b = b.subarray(take);
    }
    this.tail.push(b);
    this.tailBytes += b.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0].length >= TAIL_RAW) {
      this.tailBytes -= this.tail[0].length;
      this.dropped += this.tail[0].length;
      this.tail.shift();
    }
  }

  /** The text a person saw, head and tail kept when it was huge. */
  text(): { text: string; raw: string; truncated: boolean } {
    // trail's own marks are no output (and carry the terminal's nonce): a mark
    // cut across reads reaches the capture in part, and is removed here.
    if (this.dropped === 0) {
      const raw = Buffer.concat([...this.head, ...this.tail]).toString('utf8').replace(OUR_MARKS, '');
      const text = stripAnsi(raw);
      if (text.length <= HEAD_TEXT + TAIL_TEXT) return { text, raw, truncated: false };
      return { text: cut(text.slice(0, HEAD_TEXT), text.slice(-TAIL_TEXT), this.total), raw: '', truncated: true };
    }
    const headRaw = Buffer.concat(this.head).toString('utf8').replace(OUR_MARKS, '');
    const tailRaw = Buffer.concat(this.tail).toString('utf8').replace(OUR_MARKS, '');
    // The tail starts mid-stream: begin it at a line boundary so no half escape sequence leaks in.
    const nl = tailRaw.indexOf('\n');
    const tailText = stripAnsi(nl >= 0 ? tailRaw.slice(nl + 1) : tailRaw);
    const headText = stripAnsi(headRaw);
    return { text: cut(headText.slice(0, HEAD_TEXT), tailText.slice(-TAIL_TEXT), this.total), raw: '', truncated: true };
  }
}

function cut(head: string, tail: string, total: number): string {
  return `${head}\n… [output truncated: ${total} bytes in all; head and tail kept] …\n${tail}`;
}
