// Which three-character pieces a chunk of service output holds, as a bitmap
// kept beside the chunk (a Bloom filter with one hash), for chunks of 64 KiB
// and more (smaller ones are in the trigram index: store/services.ts,
// INDEX_BELOW). A search reads the bitmaps newest first and opens only the
// chunks whose bits hold every piece of the text it looks for. The trigram
// index costs 34 ns per byte written, which held a service printing as fast
// as it can to a tenth of what pm2 keeps; the bitmap costs about 2 (made
// natively, native/relay.c), and is never wrong about a chunk that holds the
// text (only, now and then, about one that does not, which the exact check
// after it throws out). The price is on the search side: every bitmap of
// the services searched is read (about 1% of their text).
//
// Case: ASCII letters are folded, as SQLite's lower() and instr() that check
// the candidates fold them. A character counts by the low byte of its UTF-16
// unit (as the native maker reads text: Latin-1, a plain copy): a wider one
// shares its bits with another, which the exact check sorts out.

/**
 * The bitmap starts at 8 bits a character (at most 64 Kib, at least 256
 * bits) and is folded in halves while the half is at most a third set: its
 * size follows what the text holds, not its length. Bit i of the half is
 * bits 2i and 2i+1 (the hash's top bits pick the bit: the half is the
 * bitmap one bit shorter would have been). A repetitive log's 256 KiB ends
 * at 512 bytes, 170 KB of request lines with ids in hex at 2 KiB: a search
 * reads every bitmap of what it searches, so they are kept small.
 */
const MAX_BITS_LOG2 = 16;
const MIN_BITS_LOG2 = 8;

function foldHalves(map: Uint8Array): Uint8Array {
  let cur = map;
  while (cur.length > 32) {
    const half = new Uint8Array(cur.length / 2);
    let ones = 0;
    for (let i = 0; i < half.length; i++) {
      const lo = cur[2 * i];
      const hi = cur[2 * i + 1];
      let f = 0;
      for (let k = 0; k < 4; k++) {
        if (lo & (3 << (2 * k))) f |= 1 << k;
        if (hi & (3 << (2 * k))) f |= 1 << (k + 4);
      }
      half[i] = f;
      for (let x = f; x; x &= x - 1) ones++;
    }
    if (ones * 3 > half.length * 8) break;
    cur = half;
  }
  return cur;
}

const fold = (unit: number) => {
  const c = unit & 0xff;
  return c >= 65 && c <= 90 ? c | 32 : c;
};

/** The piece of three characters ending at each position, hashed to 32 bits. */
const mix = (a: number, b: number, c: number) => Math.imul((a << 16) ^ (b << 8) ^ c, 0x9e3779b1) >>> 0;

/** The bitmap of a text's three-character pieces (native/relay.c has the same, faster: the daemon uses that one). */
export function gramsOf(text: string): Buffer {
  let log2 = MIN_BITS_LOG2;
  while (log2 < MAX_BITS_LOG2 && 1 << log2 < text.length * 8) log2++;
  const map = new Uint8Array(1 << (log2 - 3));
  const shift = 32 - log2;
  if (text.length >= 3) {
    let a = fold(text.charCodeAt(0));
    let b = fold(text.charCodeAt(1));
    for (let i = 2; i < text.length; i++) {
      const c = fold(text.charCodeAt(i));
      const bit = mix(a, b, c) >>> shift;
      map[bit >>> 3] |= 1 << (bit & 7);
      a = b;
      b = c;
    }
  }
  return Buffer.from(foldHalves(map));
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
