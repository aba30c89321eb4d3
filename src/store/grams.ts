// Which three-character pieces a chunk of service output holds, as a bitmap
// kept beside the chunk (a Bloom filter with one hash). A search reads the
// bitmaps newest first and opens only the chunks whose bits hold every piece
// of the text it looks for. It replaced FTS5's trigram index for service
// output (migration 10): that index cost 34 ns per byte a service wrote and
// held a service printing as fast as it can to a tenth of what pm2 keeps;
// the bitmap costs under 2 ns a byte (natively, native/relay.c) and is never
// wrong about a chunk that holds the text (only, now and then, about one that
// does not, which the exact check after it throws out). The price is on the
// search side: every bitmap of the services searched is read (2% of the
// text), where the index was read only for the pieces looked for.
//
// Case: ASCII letters are folded, as SQLite's lower() and instr() that check
// the candidates fold them. A character counts by the low byte of its UTF-16
// unit (as the native maker reads text: Latin-1, a plain copy): a wider one
// shares its bits with another, which the exact check sorts out.

/**
 * Bytes of bitmap for a text of `length` characters: about 1/64 of it, a
 * power of two from 32 to 4 KiB (measured over 300 MB of request logs with
 * ids in hex: a text found in one chunk opened that chunk alone, at 1/32 as
 * at 1/64; a search reads the bitmaps, so they are kept small).
 */
function sizeFor(length: number): number {
  let bytes = 32;
  while (bytes < 4096 && bytes * 64 < length) bytes *= 2;
  return bytes;
}

const fold = (unit: number) => {
  const c = unit & 0xff;
  return c >= 65 && c <= 90 ? c | 32 : c;
};

/** The piece of three characters ending at each position, hashed to 32 bits. */
const mix = (a: number, b: number, c: number) => Math.imul((a << 16) ^ (b << 8) ^ c, 0x9e3779b1) >>> 0;

/** The bitmap of a text's three-character pieces (native/relay.c has the same, faster: the daemon uses that one). */
export function gramsOf(text: string): Buffer {
  const bytes = sizeFor(text.length);
  const out = Buffer.alloc(bytes);
  const shift = 32 - Math.log2(bytes * 8);
  if (text.length < 3) return out;
  let a = fold(text.charCodeAt(0));
  let b = fold(text.charCodeAt(1));
  for (let i = 2; i < text.length; i++) {
    const c = fold(text.charCodeAt(i));
    const bit = mix(a, b, c) >>> shift;
    out[bit >>> 3] |= 1 << (bit & 7);
    a = b;
    b = c;
  }
  return out;
}

/** The hashed pieces of a text looked for; null when it is too short to have any (every chunk is a candidate). */
export function gramKeys(needle: string): number[] | null {
  if (needle.length < 3) return null;
  const keys = new Set<number>();
  for (let i = 2; i < needle.length; i++) keys.add(mix(fold(needle.charCodeAt(i - 2)), fold(needle.charCodeAt(i - 1)), fold(needle.charCodeAt(i))));
  return [...keys];
}

/** Whether a chunk with this bitmap may hold the text whose pieces are `keys` (false: it surely does not). */
export function mayHold(grams: Uint8Array | null, keys: number[] | null): boolean {
  if (!grams || !keys || grams.length < 32 || grams.length & (grams.length - 1)) return true;
  const shift = 32 - Math.log2(grams.length * 8);
  for (const k of keys) {
    const bit = k >>> shift;
    if (!(grams[bit >>> 3] & (1 << (bit & 7)))) return false;
  }
  return true;
}
