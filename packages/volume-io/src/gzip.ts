/**
 * Gzip / zlib for every format. In Node the built-in `node:zlib` is used (reached through
 * `process.getBuiltinModule`, so no static `node:` import leaks into browser bundles); elsewhere
 * fflate. Corrupt or truncated streams throw `E_GZIP_CORRUPT`.
 */
import type * as NodeZlib from 'node:zlib';
import { Gunzip as FflateGunzip, Inflate as FflateInflate, gunzipSync as fGunzip, gzipSync as fGzip, unzlibSync as fUnzlib, zlibSync as fZlib } from 'fflate';
import { fail } from './errors.js';

type Zlib = typeof NodeZlib;
let cached: Zlib | null | undefined;
let forceFflate = false;

/** node:zlib when running in Node (≥ 20.16), else null. */
export function nodeZlib(): Zlib | null {
  if (forceFflate) return null;
  if (cached === undefined) {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    try {
      cached = (p?.getBuiltinModule?.('node:zlib') as Zlib | undefined) ?? null;
    } catch {
      cached = null;
    }
  }
  return cached;
}

/** Use fflate even in Node (tests of the browser path; benchmarks). Returns the previous value. */
export function setForceFflate(on: boolean): boolean {
  const prev = forceFflate;
  forceFflate = on;
  return prev;
}

/** Which gzip implementation is active: `"node:zlib"` or `"fflate"`. */
export function gzipBackend(): 'node:zlib' | 'fflate' {
  return nodeZlib() ? 'node:zlib' : 'fflate';
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** True when the bytes start with a zlib (RFC 1950) header. */
export function isZlib(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  const cmf = bytes[0]!;
  const flg = bytes[1]!;
  return (cmf & 0x0f) === 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 === 0;
}

function corrupt(err: unknown, what: string): never {
  const msg = err instanceof Error ? err.message : String(err);
  fail('E_GZIP_CORRUPT', `${what} stream is corrupt or truncated`, { expected: `a complete ${what} stream`, found: msg, cause: err });
}

function asU8(b: Uint8Array): Uint8Array {
  return b;
}

/**
 * Decompress a whole gzip stream (concatenated members allowed). `sizeHint` (expected output bytes)
 * lets node:zlib inflate into one buffer instead of concatenating 64 KB chunks (much faster).
 */
export function gunzip(bytes: Uint8Array, sizeHint?: number): Uint8Array {
  if (!isGzip(bytes)) fail('E_GZIP_CORRUPT', 'not a gzip stream', { expected: 'gzip magic 1f 8b', found: hex(bytes.subarray(0, 2)) });
  const z = nodeZlib();
  try {
    if (z) {
      let hint = sizeHint;
      if (hint === undefined && bytes.length >= 18) {
        const n = bytes.length;
        hint = (bytes[n - 4]! | (bytes[n - 3]! << 8) | (bytes[n - 2]! << 16) | (bytes[n - 1]! << 24)) >>> 0;
      }
      const chunkSize = Math.min(Math.max(64 * 1024, (hint ?? 0) + 1024), 1 << 30);
      return asU8(z.gunzipSync(bytes, { chunkSize }));
    }
    // fflate's gunzipSync stops after the first member; the streaming Gunzip reads them all.
    const parts: Uint8Array[] = [];
    let total = 0;
    const g = new FflateGunzip((chunk) => {
      parts.push(chunk);
      total += chunk.length;
    });
    g.push(bytes, true);
    return concat(parts, total);
  } catch (err) {
    corrupt(err, 'gzip');
  }
}

/** Sub-field id of radcam's member-size record in a gzip FEXTRA field ('R','C'). */
export const MEMBER_SUBFIELD = [0x52, 0x43] as const;

/** 20-byte gzip member header with an FEXTRA 'RC' sub-field holding the member's total size. */
export function memberHeader(totalSize: number): Uint8Array {
  const h = new Uint8Array(20);
  h.set([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 255, 8, 0, MEMBER_SUBFIELD[0], MEMBER_SUBFIELD[1], 4, 0]);
  new DataView(h.buffer).setUint32(16, totalSize >>> 0, true);
  return h;
}

export interface GzipMember {
  start: number;
  end: number;
  /** Uncompressed size (ISIZE trailer). */
  isize: number;
}

/**
 * Member table of a multi-member gzip stream written by radcam (every member carries an 'RC'
 * FEXTRA sub-field with its size), or null for any other gzip stream.
 */
export function gzipMembers(bytes: Uint8Array): GzipMember[] | null {
  const out: GzipMember[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (o + 20 > bytes.length || bytes[o] !== 0x1f || bytes[o + 1] !== 0x8b || !(bytes[o + 3]! & 4)) return null;
    if (bytes[o + 12] !== MEMBER_SUBFIELD[0] || bytes[o + 13] !== MEMBER_SUBFIELD[1] || bytes[o + 14] !== 4) return null;
    const dv = new DataView(bytes.buffer, bytes.byteOffset + o);
    const total = dv.getUint32(16, true);
    if (total < 28 || o + total > bytes.length) return null;
    const isize = new DataView(bytes.buffer, bytes.byteOffset + o + total - 4, 4).getUint32(0, true);
    out.push({ start: o, end: o + total, isize });
    o += total;
  }
  return out.length ? out : null;
}

/** Decompress a zlib (RFC 1950) stream, e.g. MetaImage CompressedData. */
export function inflateZlib(bytes: Uint8Array, sizeHint?: number): Uint8Array {
  const z = nodeZlib();
  try {
    if (z) {
      const chunkSize = Math.min(Math.max(64 * 1024, (sizeHint ?? 0) + 1024), 1 << 30);
      return asU8(z.inflateSync(bytes, { chunkSize }));
    }
    return fUnzlib(bytes, sizeHint ? { out: new Uint8Array(sizeHint) } : undefined);
  } catch (err) {
    corrupt(err, 'zlib');
  }
}

/**
 * Inflate only the beginning of a gzip stream: returns at least `want` bytes (if the stream holds
 * that many) from a possibly truncated compressed prefix. Used by header-only reads.
 */
export function gunzipPrefix(bytes: Uint8Array, want: number): Uint8Array {
  if (!isGzip(bytes)) fail('E_GZIP_CORRUPT', 'not a gzip stream', { expected: 'gzip magic 1f 8b', found: hex(bytes.subarray(0, 2)) });
  const z = nodeZlib();
  try {
    if (z) {
      return asU8(z.gunzipSync(bytes, { finishFlush: z.constants.Z_SYNC_FLUSH, chunkSize: Math.max(64 * 1024, want) }));
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    const g = new FflateGunzip((chunk) => {
      parts.push(chunk);
      total += chunk.length;
    });
    g.push(bytes, false);
    return concat(parts, total);
  } catch (err) {
    corrupt(err, 'gzip');
  }
}

/** Inflate the beginning of a zlib stream (see {@link gunzipPrefix}). */
export function inflateZlibPrefix(bytes: Uint8Array, want: number): Uint8Array {
  const z = nodeZlib();
  try {
    if (z) return asU8(z.inflateSync(bytes, { finishFlush: z.constants.Z_SYNC_FLUSH, chunkSize: Math.max(64 * 1024, want) }));
    const parts: Uint8Array[] = [];
    let total = 0;
    const g = new FflateInflate((chunk) => {
      parts.push(chunk);
      total += chunk.length;
    });
    g.push(bytes.subarray(2), false);
    return concat(parts, total);
  } catch (err) {
    corrupt(err, 'zlib');
  }
}

export interface CompressOptions {
  /** 0 (store) … 9 (smallest). Default 6 (zlib's default). */
  level?: number;
}

function level(opts: CompressOptions): number {
  const l = opts.level ?? 6;
  if (!Number.isInteger(l) || l < 0 || l > 9) fail('E_INVALID_ARGUMENT', 'gzip level must be an integer 0…9', { found: String(l) });
  return l;
}

/** Gzip-compress `parts` (concatenated) as one member. */
export function gzip(parts: Uint8Array | Uint8Array[], opts: CompressOptions = {}): Uint8Array {
  const lv = level(opts);
  const list = Array.isArray(parts) ? parts : [parts];
  const z = nodeZlib();
  if (z) {
    const total = list.reduce((s, p) => s + p.length, 0);
    const input = list.length === 1 ? list[0]! : concat(list, total);
    return asU8(z.gzipSync(input, { level: lv, chunkSize: Math.max(64 * 1024, Math.min(1 << 30, (total >>> 1) + 1024)) }));
  }
  return fGzip(list.length === 1 ? list[0]! : concat(list, list.reduce((s, p) => s + p.length, 0)), { level: lv as 0 });
}

/** zlib-compress (RFC 1950), as MetaImage CompressedData expects. */
export function deflateZlib(bytes: Uint8Array, opts: CompressOptions = {}): Uint8Array {
  const lv = level(opts);
  const z = nodeZlib();
  if (z) return asU8(z.deflateSync(bytes, { level: lv, chunkSize: Math.max(64 * 1024, Math.min(1 << 30, (bytes.length >>> 1) + 1024)) }));
  return fZlib(bytes, { level: lv as 0 });
}

export function concat(parts: Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const n = total ?? parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ') || '(empty)';
}
