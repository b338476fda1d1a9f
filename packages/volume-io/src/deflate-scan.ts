/**
 * Deflate (RFC 1951) stream helpers for splitting one gzip member into independently inflatable
 * pieces: finding a dynamic-Huffman block header at an arbitrary bit offset (the validity checks
 * zlib's inflate itself applies, so false positives are rare; callers must still verify the result,
 * e.g. by the gzip CRC), byte-aligning a bit-offset stream, and gzip header parsing. Pure, no I/O.
 */

/** Where the deflate data of a single gzip member lies, and its trailer. */
export interface GzipLayout {
  /** First byte of the deflate stream (after the gzip header). */
  bodyStart: number;
  /** End (exclusive) of the deflate stream if the member fills the buffer (= length − 8). */
  bodyEnd: number;
  /** CRC-32 from the trailer of the last 8 bytes. */
  crc: number;
  /** ISIZE (uncompressed size mod 2^32) from the trailer. */
  isize: number;
}

/** Parse a gzip member header (FEXTRA / FNAME / FCOMMENT / FHCRC); null when it is not plain gzip. */
export function gzipLayout(b: Uint8Array): GzipLayout | null {
  const n = b.length;
  if (n < 18 || b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8) return null;
  const flg = b[3]!;
  if (flg & 0xe0) return null;
  let o = 10;
  if (flg & 4) {
    if (o + 2 > n) return null;
    o += 2 + (b[o]! | (b[o + 1]! << 8));
  }
  if (flg & 8) {
    while (o < n && b[o] !== 0) o++;
    o++;
  }
  if (flg & 16) {
    while (o < n && b[o] !== 0) o++;
    o++;
  }
  if (flg & 2) o += 2;
  if (o + 8 > n) return null;
  const dv = new DataView(b.buffer, b.byteOffset + n - 8, 8);
  return { bodyStart: o, bodyEnd: n - 8, crc: dv.getUint32(0, true), isize: dv.getUint32(4, true) };
}

const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * Kraft check as zlib's inflate_table applies it: 0 = complete, 1 = incomplete, -1 = over-subscribed.
 * `count[l]` = number of codes of length l (1…maxLen).
 */
function kraft(count: Int32Array, maxLen: number): number {
  let left = 1;
  for (let l = 1; l <= maxLen; l++) {
    left = (left << 1) - count[l]!;
    if (left < 0) return -1;
  }
  return left > 0 ? 1 : 0;
}

/**
 * Scanner state reused across candidate bit offsets (no allocation per candidate).
 */
export class DeflateBlockFinder {
  private readonly clLens = new Int32Array(19);
  private readonly count = new Int32Array(16);
  private readonly table = new Int32Array(128); // (symbol << 4) | length, indexed by 7 LSB-first bits
  private readonly lens = new Int32Array(320);

  constructor(private readonly buf: Uint8Array) {}

  /** `n` ≤ 24 bits LSB-first at bit offset `p` (bits past the end read as 0). */
  private bits(p: number, n: number): number {
    const b = this.buf;
    const i = p >>> 3;
    const w = (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16) | ((b[i + 3] ?? 0) << 24);
    return (w >>> (p & 7)) & ((1 << n) - 1);
  }

  /**
   * True when a non-final dynamic-Huffman block header starts at bit `p` and every check zlib makes
   * on it passes (BTYPE, HLIT/HDIST ranges, complete code-length code, valid repeat codes, an
   * end-of-block code, complete literal/length and distance codes).
   */
  isDynamicHeader(p: number): boolean {
    // BFINAL = 0, BTYPE = 2 (bits 1..2 = 0b10 LSB-first → value 2)
    if (this.bits(p, 3) !== 4) return false;
    const hlit = this.bits(p + 3, 5);
    const hdist = this.bits(p + 8, 5);
    if (hlit > 29 || hdist > 29) return false;
    const hclen = this.bits(p + 13, 4) + 4;
    const clLens = this.clLens;
    clLens.fill(0);
    const count = this.count;
    count.fill(0);
    let q = p + 17;
    for (let i = 0; i < hclen; i++, q += 3) {
      const l = this.bits(q, 3);
      clLens[CL_ORDER[i]!] = l;
      count[l] = count[l]! + 1;
    }
    count[0] = 0;
    if (kraft(count, 7) !== 0) return false;
    // canonical code → 7-bit LSB-first lookup table
    const next = new Int32Array(8);
    let code = 0;
    for (let l = 1; l <= 7; l++) {
      code = (code + count[l - 1]!) << 1;
      next[l] = code;
    }
    // count[0] was zeroed, so next[1] = 0 as canonical Huffman requires
    const table = this.table;
    for (let s = 0; s < 19; s++) {
      const l = clLens[s]!;
      if (!l) continue;
      const c = next[l]!++;
      let rev = 0;
      for (let k = 0; k < l; k++) rev |= ((c >>> k) & 1) << (l - 1 - k);
      for (let f = rev; f < 128; f += 1 << l) table[f] = (s << 4) | l;
    }
    const nl = hlit + 257;
    const total = nl + hdist + 1;
    const lens = this.lens;
    let i = 0;
    while (i < total) {
      const e = table[this.bits(q, 7)]!;
      q += e & 15;
      const sym = e >>> 4;
      if (sym < 16) {
        lens[i++] = sym;
      } else {
        let rep: number;
        let val = 0;
        if (sym === 16) {
          if (i === 0) return false;
          val = lens[i - 1]!;
          rep = 3 + this.bits(q, 2);
          q += 2;
        } else if (sym === 17) {
          rep = 3 + this.bits(q, 3);
          q += 3;
        } else {
          rep = 11 + this.bits(q, 7);
          q += 7;
        }
        if (i + rep > total) return false;
        while (rep--) lens[i++] = val;
      }
    }
    if (lens[256] === 0) return false;
    // literal/length code: complete, or incomplete only with a single code of length 1 (zlib rule)
    count.fill(0);
    let max = 0;
    for (let s = 0; s < nl; s++) {
      const l = lens[s]!;
      count[l] = count[l]! + 1;
      if (l > max) max = l;
    }
    count[0] = 0;
    const kl = kraft(count, 15);
    if (kl < 0 || (kl > 0 && max !== 1)) return false;
    count.fill(0);
    max = 0;
    for (let s = nl; s < total; s++) {
      const l = lens[s]!;
      count[l] = count[l]! + 1;
      if (l > max) max = l;
    }
    count[0] = 0;
    if (max === 0) return true;
    const kd = kraft(count, 15);
    return !(kd < 0 || (kd > 0 && max !== 1));
  }

  /** First bit offset in [from, to) where {@link isDynamicHeader} holds, or -1. */
  find(from: number, to: number): number {
    const b = this.buf;
    for (let p = from; p < to; p++) {
      // fast pre-filter on the 3 header bits before the full check
      const i = p >>> 3;
      if (((((b[i] ?? 0) | ((b[i + 1] ?? 0) << 8)) >>> (p & 7)) & 7) !== 4) continue;
      if (this.isDynamicHeader(p)) return p;
    }
    return -1;
  }
}

const HOST_LE = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * The bytes of `src` from bit offset `bit` to byte `end`, shifted so that bit `bit` becomes bit 0
 * of byte 0 (a view when `bit` is byte-aligned). Works on 32-bit words on little-endian hosts.
 */
export function alignBits(src: Uint8Array, bit: number, end: number): Uint8Array {
  const q = bit >>> 3;
  if ((bit & 7) === 0) return src.subarray(q, end);
  const n = end - q;
  const out = new Uint8Array((n + 7) & ~3);
  // 32-bit words of src from an aligned absolute offset at or before q
  const abs = src.byteOffset + q;
  const a0 = abs & ~3;
  const s = (abs - a0) * 8 + (bit & 7); // 1…31
  const nw = out.length >>> 2;
  if (HOST_LE && s < 32 && a0 + (nw + 1) * 4 <= (src.buffer.byteLength & ~3) && a0 >= 0) {
    const w = new Uint32Array(src.buffer, a0, nw + 1);
    const o = new Uint32Array(out.buffer, 0, nw);
    const r = 32 - s;
    for (let i = 0; i < nw; i++) o[i] = (w[i]! >>> s) | (w[i + 1]! << r);
    // bits from bytes at or past `end` must not leak in
    out[n - 1] = src[q + n - 1]! >>> (bit & 7);
    return out.subarray(0, n);
  }
  const sh = bit & 7;
  const r = 8 - sh;
  const last = n - 1;
  for (let i = 0; i < last; i++) out[i] = (src[q + i]! >>> sh) | (src[q + i + 1]! << r);
  out[last] = src[q + last]! >>> sh;
  return out.subarray(0, n);
}
