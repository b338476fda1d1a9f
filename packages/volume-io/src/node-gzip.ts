/**
 * Parallel gzip for Node (imported only by node.ts). Data is split into members of `memberBytes`
 * compressed concurrently on libuv's thread pool; every member is a standard gzip member whose
 * FEXTRA 'RC' sub-field records its size, so any gzip reader decodes the file (concatenated members
 * are valid gzip) and radcam's reader can inflate the members in parallel.
 */
import type { ZlibOptions } from 'node:zlib';
import { fail } from './errors.js';
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
