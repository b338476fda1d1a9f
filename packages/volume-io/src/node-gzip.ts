/**
 * Parallel gzip for Node (imported only by node.ts). Data is split into members of `memberBytes`
 * compressed concurrently on libuv's thread pool; every member is a standard gzip member whose
 * FEXTRA 'RC' sub-field records its size, so any gzip reader decodes the file (concatenated members
 * are valid gzip) and radcam's reader can inflate the members in parallel.
 */
import type { ZlibOptions } from 'node:zlib';
import { fail } from './errors.js';
import { DeflateBlockFinder, alignBits, gzipLayout } from './deflate-scan.js';
import { type GzipMember, memberHeader, nodeZlib } from './gzip.js';

// node:zlib through process.getBuiltinModule (no static `node:` import, so browser bundles stay clean)
function zl() {
  return nodeZlib() ?? fail('E_UNSUPPORTED', 'parallel gzip needs node:zlib');
}
const gzipAsync = (b: Uint8Array, o: ZlibOptions) =>
  new Promise<Uint8Array>((res, rej) => zl().gzip(b, o, (e, r) => (e ? rej(e) : res(r))));
const gunzipAsync = (b: Uint8Array, o: ZlibOptions) =>
  new Promise<Uint8Array>((res, rej) => zl().gunzip(b, o, (e, r) => (e ? rej(e) : res(r))));
const concatBuf = (list: Uint8Array[]) => {
  const out = new Uint8Array(list.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of list) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** Default member size: 4 MiB of uncompressed data. */
export const MEMBER_BYTES = 4 << 20;

function chunks(parts: Uint8Array[], size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let pendingLen = 0;
  for (const p of parts) {
    let o = 0;
    while (o < p.length) {
      const take = Math.min(size - pendingLen, p.length - o);
      pending.push(p.subarray(o, o + take));
      pendingLen += take;
      o += take;
      if (pendingLen === size) {
        out.push(pending.length === 1 ? pending[0]! : concatBuf(pending));
        pending = [];
        pendingLen = 0;
      }
    }
  }
  if (pendingLen > 0) out.push(pending.length === 1 ? pending[0]! : concatBuf(pending));
  return out;
}

/** Gzip the concatenation of `parts` as parallel members; returns the members (write them in order). */
export async function gzipParallel(parts: Uint8Array[], level: number, memberBytes = MEMBER_BYTES): Promise<Uint8Array[]> {
  const list = chunks(parts, memberBytes);
  if (list.length === 0) list.push(new Uint8Array(0));
  return Promise.all(
    list.map(async (c) => {
      const gz = await gzipAsync(c, { level, chunkSize: Math.max(64 * 1024, (c.length >>> 1) + 4096) });
      // replace zlib's 10-byte header by one carrying the member size in an 'RC' FEXTRA sub-field
      const body = gz.subarray(10);
      const out = new Uint8Array(20 + body.length);
      out.set(memberHeader(out.length), 0);
      out.set(body, 20);
      return out;
    }),
  );
}

/** Inflate radcam multi-member gzip in parallel into one buffer. */
export async function gunzipParallel(bytes: Uint8Array, members: GzipMember[]): Promise<Uint8Array> {
  let total = 0;
  const offsets = members.map((m) => {
    const o = total;
    total += m.isize;
    return o;
  });
  const out = new Uint8Array(total);
  try {
    await Promise.all(
      members.map(async (m, i) => {
        const part = await gunzipAsync(bytes.subarray(m.start, m.end), { chunkSize: Math.max(64 * 1024, m.isize + 1024) });
        if (part.length !== m.isize) throw new Error(`member ${i} inflated to ${part.length} bytes, trailer says ${m.isize}`);
        out.set(part, offsets[i]);
      }),
    );
  } catch (err) {
    fail('E_GZIP_CORRUPT', 'gzip stream is corrupt or truncated', { expected: 'a complete gzip stream', found: err instanceof Error ? err.message : String(err), cause: err });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parallel inflate of ONE gzip member (files written by other tools)
// ---------------------------------------------------------------------------------------------

const WIN = 32768;
let zeroDict: Uint8Array | undefined;

interface Inflated {
  chunks: Uint8Array[];
  total: number;
  /** Input bytes zlib consumed. */
  consumed: number;
}

/** Raw-inflate `input` on the libuv thread pool; `finish` false = stop quietly at the end of input. */
function inflateRawAsync(input: Uint8Array, opts: { dictionary?: Uint8Array; chunkSize: number; finish: boolean }): Promise<Inflated> {
  const z = zl();
  return new Promise((resolve, reject) => {
    const s = z.createInflateRaw({
      chunkSize: opts.chunkSize,
      finishFlush: opts.finish ? z.constants.Z_FINISH : z.constants.Z_SYNC_FLUSH,
      ...(opts.dictionary ? { dictionary: opts.dictionary } : {}),
    });
    const chunks: Uint8Array[] = [];
    let total = 0;
    s.on('data', (c: Uint8Array) => {
      chunks.push(c);
      total += c.length;
    });
    s.on('error', reject);
    s.on('end', () => resolve({ chunks, total, consumed: s.bytesWritten }));
    s.end(input);
  });
}

/** The chunks as one array: zero-copy when they are consecutive slices of one large enough buffer. */
function joinChunks(r: Inflated, capacity: number): Uint8Array {
  const first = r.chunks[0];
  if (first) {
    let contiguous = true;
    let off = first.byteOffset;
    for (const c of r.chunks) {
      if (c.buffer !== first.buffer || c.byteOffset !== off) {
        contiguous = false;
        break;
      }
      off += c.length;
    }
    if (contiguous && first.buffer.byteLength - first.byteOffset >= capacity) return new Uint8Array(first.buffer, first.byteOffset, capacity);
  }
  const out = new Uint8Array(capacity);
  let o = 0;
  for (const c of r.chunks) {
    out.set(c.subarray(0, Math.max(0, Math.min(c.length, capacity - o))), o);
    o += c.length;
    if (o >= capacity) break;
  }
  return out;
}

/**
 * Re-inflate the start of a piece with its true window (`window`, the 32 KiB before `off`) and
 * write the exact bytes over `out[off…]`, which holds the piece inflated with a stand-in window.
 * Stops as soon as a whole window's worth of the exact output equals the stand-in output: from
 * there on the inflater states coincide, so the rest is already exact. Returns the bytes rewritten.
 */
function repairPiece(out: Uint8Array, off: number, len: number, input: Uint8Array): Promise<number> {
  const z = zl();
  return new Promise((resolve, reject) => {
    const s = z.createInflateRaw({ chunkSize: 1 << 20, finishFlush: z.constants.Z_SYNC_FLUSH, dictionary: out.subarray(off - WIN, off) });
    let pos = 0; // exact output bytes seen
    let lastDiff = -1;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      s.destroy();
      resolve(lastDiff + 1);
    };
    s.on('data', (c: Uint8Array) => {
      if (done) return;
      const n = Math.min(c.length, len - pos);
      const dst = out.subarray(off + pos, off + pos + n);
      let j = n - 1;
      while (j >= 0 && dst[j] === c[j]) j--;
      if (j >= 0) {
        lastDiff = pos + j;
        dst.set(c.subarray(0, j + 1));
      }
      pos += n;
      if (pos - (lastDiff + 1) >= WIN || pos >= len) finish();
    });
    s.on('error', (e) => (done ? undefined : ((done = true), reject(e))));
    s.on('end', finish);
    // feed the compressed input in slices so that inflating stops soon after the states agree
    const step = 256 << 10;
    let i = 0;
    const feed = () => {
      if (done) return;
      if (i >= input.length) {
        s.end();
        return;
      }
      const part = input.subarray(i, i + step);
      i += step;
      s.write(part, feed);
    };
    feed();
  });
}

export interface SplitGunzipOptions {
  /** Number of pieces inflated concurrently (default: available CPUs, at most 4). */
  parts?: number;
  /** Do not split below this many compressed bytes per piece (default 4 MiB). */
  minPartBytes?: number;
}

/** Diagnostics of the last {@link gunzipSplit} call (for the benchmark). */
export const splitStats = { parts: 0, searchMs: 0, repairedBytes: 0, repairMs: 0, declined: '' };

/**
 * Inflate a single-member gzip stream (as gzip(1), nibabel, ITK, … write it) on several threads.
 * The deflate stream is cut at dynamic-block headers found near equal offsets (see
 * DeflateBlockFinder). Piece 0 inflates normally; every later piece is raw-inflated concurrently
 * from its byte-aligned bit offset with a zero stand-in for the unknown 32 KiB window. When the
 * previous piece is done, the start of the piece is inflated again with the true window until the
 * two outputs agree over a whole window (after which they are identical). The result must match
 * the gzip trailer (CRC-32, ISIZE) and consume the stream exactly. Returns null whenever the stream
 * cannot be split or any check fails; the caller then inflates serially (which also reports errors).
 */
export async function gunzipSplit(bytes: Uint8Array, options: SplitGunzipOptions = {}): Promise<Uint8Array | null> {
  const z = nodeZlib();
  if (!z || typeof z.crc32 !== 'function') return null;
  const lay = gzipLayout(bytes);
  if (!lay) return null;
  const bodyLen = lay.bodyEnd - lay.bodyStart;
  const cpus = (await import('node:os')).availableParallelism?.() ?? 2;
  const k = Math.min(options.parts ?? Math.min(cpus, 4), Math.floor(bodyLen / (options.minPartBytes ?? 4 << 20)));
  splitStats.parts = 0;
  splitStats.declined = '';
  const no = (why: string) => ((splitStats.declined = why), null);
  if (k < 2) return no('too small to split');
  const isize = lay.isize;
  if (isize < WIN || isize + 1024 > 2 ** 31 - 1) return no('size out of range');
  const t0 = performance.now();
  const finder = new DeflateBlockFinder(bytes);
  const cuts = [lay.bodyStart * 8];
  for (let i = 1; i < k; i++) {
    const target = (lay.bodyStart + Math.floor((bodyLen * i) / k)) * 8;
    const p = finder.find(target, Math.min(target + (4 << 20) * 8, lay.bodyEnd * 8 - 1024));
    if (p < 0 || p <= cuts[i - 1]! + 8 * 65536) return no('no block header found');
    cuts.push(p);
  }
  splitStats.searchMs = performance.now() - t0;
  zeroDict ??= new Uint8Array(WIN);
  const inputs: Uint8Array[] = [];
  const pieces: Promise<Inflated>[] = [];
  const pieceOut = Math.ceil(isize / k);
  for (let i = 0; i < k; i++) {
    const end = i + 1 < k ? Math.ceil(cuts[i + 1]! / 8) : lay.bodyEnd;
    const input = alignBits(bytes, cuts[i]!, end);
    inputs.push(input);
    const p = inflateRawAsync(input, {
      // piece 0 inflates straight into a buffer that holds the whole result
      chunkSize: i === 0 ? isize + 1024 : Math.min(2 ** 30, Math.ceil(pieceOut * 1.5) + 65536),
      finish: i === k - 1,
      ...(i > 0 ? { dictionary: zeroDict } : {}),
    });
    p.catch(() => undefined); // handled where awaited; never an unhandled rejection
    pieces.push(p);
  }
  let repaired = 0;
  let repairMs = 0;
  try {
    const p0 = await pieces[0]!;
    if (p0.total > isize || p0.total < WIN) return no('piece 0 size');
    const out = joinChunks(p0, isize);
    let crc = z.crc32(out.subarray(0, p0.total));
    let off = p0.total;
    for (let i = 1; i < k; i++) {
      const r = await pieces[i]!;
      if (off + r.total > isize) return no(`piece ${i} too long`);
      // the last piece must end exactly at the trailer (a shifted stream may leave its last byte unread)
      const unread = inputs[i]!.length - r.consumed;
      if (i === k - 1 && (unread < 0 || unread > (cuts[i]! & 7 ? 1 : 0) || off + r.total !== isize)) return no('stream not consumed exactly / ISIZE');
      let o = off;
      for (const c of r.chunks) {
        out.set(c, o);
        o += c.length;
      }
      const t1 = performance.now();
      repaired += await repairPiece(out, off, r.total, inputs[i]!);
      repairMs += performance.now() - t1;
      crc = z.crc32(out.subarray(off, off + r.total), crc);
      off += r.total;
    }
    splitStats.parts = k;
    splitStats.repairedBytes = repaired;
    splitStats.repairMs = repairMs;
    if (off !== isize || (crc >>> 0) !== lay.crc) return no('CRC-32 or ISIZE mismatch');
    return out;
  } catch (err) {
    return no(`inflate error: ${err instanceof Error ? err.message : String(err)}`);
  }
}
