// Output that scrolls out of the mirror's reach need not be parsed. When the
// mirror falls behind (a `cat` of a large file), the queue ahead of it often
// holds far more lines than the screen and scrollback keep; a plain-text run
// whose every line would be pushed out by the lines after it can be dropped
// with the same end state. Plain means: nothing that changes modes, colours,
// charsets, titles or tab stops (no ESC, no C0 other than TAB, BS, CR, LF, no
// C1), so the only effect of the dropped bytes would have been lines that no
// longer exist. The cut is made just before a CR LF, so the cursor column is
// reset as it would have been.

/** Where the plain text at the start of buf ends: printable text (UTF-8 included), TAB, BS, CR, LF. */
function plainUntil(buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b >= 0x20 && b !== 0x7f && b !== 0xc2) continue;
    if (b === 0x0a || b === 0x0d || b === 0x09 || b === 0x08) continue;
    // U+0080..U+009F (C2 80..C2 9F) are C1 controls to xterm; other C2 xx are letters.
    if (b === 0xc2 && i + 1 < buf.length && (buf[i + 1] < 0x80 || buf[i + 1] > 0x9f)) continue;
    return i;
  }
  return buf.length;
}

/**
 * How many bytes at the front of `queued` can be dropped so that at least
 * `keepLines` line feeds of plain text still follow the cut. The caller must
 * know the parser is at rest (ground state) before the first byte.
 */
export function skippableBytes(queued: readonly Buffer[], keepLines: number): number {
  // The plain run at the front of the queue, and where each of its chunks starts.
  const starts: number[] = [];
  let plainEnd = 0;
  for (const c of queued) {
    starts.push(plainEnd);
    const p = plainUntil(c);
    plainEnd += p;
    if (p < c.length) break;
  }
  if (plainEnd === 0) return 0;
  // Walk backwards from the end of the plain run counting line feeds; the cut
  // goes before the CR of a CR LF once enough line feeds lie after it.
  let ci = starts.length - 1;
  let lfs = 0;
  let afterIsLf = false;
  for (let pos = plainEnd - 1; pos > 0; pos--) {
    while (ci > 0 && pos < starts[ci]) ci--;
    const b = queued[ci][pos - starts[ci]];
    if (b === 0x0d && afterIsLf && lfs >= keepLines) return pos;
    if (b === 0x0a) lfs++;
    afterIsLf = b === 0x0a;
  }
  return 0;
}

/** Drops `n` bytes from the front of the queue (in place); returns the line feeds dropped (lines that would have scrolled). */
export function dropFront(queued: Buffer[], n: number): number {
  let lfs = 0;
  const count = (b: Buffer) => {
    for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) lfs++;
  };
  while (n > 0 && queued.length) {
    const c = queued[0];
    if (c.length <= n) {
      count(c);
      n -= c.length;
      queued.shift();
    } else {
      count(c.subarray(0, n));
      queued[0] = c.subarray(n);
      n = 0;
    }
  }
  return lfs;
}
