// Multi-threaded inflate of ONE gzip member (files other tools write): the output must equal
// node:zlib's serial gunzip byte for byte, the split must really happen, and any corruption must
// fall back to the serial path's typed error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '@radcam/core';
import { encodeVolume, readVolume } from '@radcam/volume-io';
import { DeflateBlockFinder, alignBits, gzipLayout } from '../src/deflate-scan.js';
import { gunzipSplit, splitStats } from '../src/node-gzip.js';

const dir = mkdtempSync(join(tmpdir(), 'radcam-split-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** CT-like int16 slices: constant air with sparse noise, a noisy body; compresses ~2:1 like CT. */
function ctLike(nx: number, ny: number, nz: number): Int16Array {
  const rng = createRng(7);
  const a = new Int16Array(nx * ny * nz);
  let p = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, p++) {
        const r = ((x - nx / 2) / (nx * 0.4)) ** 2 + ((y - ny / 2) / (ny * 0.4)) ** 2;
        a[p] = r < 1 ? Math.round(40 + 20 * rng.normal()) : rng.next() < 0.02 ? -990 : -1000;
      }
  return a;
}
const raw = new Uint8Array(ctLike(128, 128, 96).buffer); // 3.1 MB
const u8 = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.length);

describe('DeflateBlockFinder', () => {
  it('finds only offsets from which zlib inflates the rest of the stream', () => {
    const body = u8(deflateRawSync(raw, { level: 6 }));
    const finder = new DeflateBlockFinder(body);
    const p = finder.find(body.length * 4, body.length * 8);
    expect(p).toBeGreaterThan(0);
    // from a true block boundary zlib inflates to the end of the stream; with the true 32 KiB
    // window before that point as dictionary, the output is exactly the original data's tail
    const len = u8(inflateRawSync(alignBits(body, p, body.length), { dictionary: new Uint8Array(32768) })).length;
    expect(len).toBeGreaterThan(200_000);
    const off = raw.length - len;
    const tail = u8(inflateRawSync(alignBits(body, p, body.length), { dictionary: raw.subarray(off - 32768, off) }));
    expect(Buffer.compare(Buffer.from(tail), Buffer.from(raw.subarray(off)))).toBe(0);
  });
  it('alignBits shifts a bit range to byte 0', () => {
    const src = Uint8Array.of(0b1011_0000, 0b0000_0001, 0xff, 0x0f);
    expect(Array.from(alignBits(src, 4, 3))).toEqual([0b0001_1011, 0b1111_0000, 0b0000_1111]);
    expect(Array.from(alignBits(src, 8, 4))).toEqual([1, 0xff, 0x0f]);
  });
  it('gzipLayout skips FNAME and reads the trailer', () => {
    const gz = u8(gzipSync(raw.subarray(0, 1000)));
    const named = new Uint8Array(gz.length + 7);
    named.set(gz.subarray(0, 10));
    named[3] = 8; // FNAME
    named.set([0x61, 0x2e, 0x6e, 0x69, 0x69, 0x00], 10); // "a.nii\0"
    named.set(gz.subarray(10), 16);
    const lay = gzipLayout(named.subarray(0, named.length - 1))!;
    expect(lay.bodyStart).toBe(16);
    expect(lay.isize).toBe(1000);
  });
});

describe('gunzipSplit', () => {
  for (const level of [1, 6, 9]) {
    it(`level ${level}: split inflate equals zlib's serial gunzip byte for byte`, async () => {
      const gz = u8(gzipSync(raw, { level }));
      const out = await gunzipSplit(gz, { parts: 3, minPartBytes: 64 << 10 });
      expect(out).not.toBeNull();
      expect(splitStats.parts).toBe(3);
      expect(Buffer.compare(Buffer.from(out!.buffer, out!.byteOffset, out!.length), gunzipSync(gz))).toBe(0);
    });
  }
  it('declines streams it cannot split or check (too small, corrupt, truncated, two members)', async () => {
    const gz = u8(gzipSync(raw, { level: 6 }));
    expect(await gunzipSplit(gz.subarray(0, 5000), { minPartBytes: 64 << 10 })).toBeNull();
    const bad = gz.slice();
    const i1 = (bad.length * 0.75) | 0;
    bad[i1] = bad[i1]! ^ 0x55;
    expect(await gunzipSplit(bad, { parts: 2, minPartBytes: 64 << 10 })).toBeNull();
    expect(await gunzipSplit(gz.subarray(0, gz.length - 20), { parts: 2, minPartBytes: 64 << 10 })).toBeNull();
    const two = new Uint8Array(gz.length * 2);
    two.set(gz);
    two.set(gz, gz.length);
    expect(await gunzipSplit(two, { parts: 2, minPartBytes: 64 << 10 })).toBeNull();
  });
});

describe('readVolume of single-member .nii.gz with parallelGunzip', () => {
  const vol = { data: ctLike(128, 128, 96), size: [128, 128, 96] as [number, number, number], spacing: [0.8, 0.8, 2] as [number, number, number], origin: [1, 2, 3] as [number, number, number], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) };
  const nii = encodeVolume(vol, { format: '.nii' });
  const gz = gzipSync(nii, { level: 6 });
  it('reads the same voxels as the serial path', async () => {
    const f = join(dir, 'one.nii.gz');
    writeFileSync(f, gz);
    const a = await readVolume(f, { parallelGunzip: true });
    expect(splitStats.parts).toBeGreaterThanOrEqual(2);
    const b = await readVolume(f, { parallelGunzip: false });
    expect(Buffer.compare(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength), Buffer.from(vol.data.buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength), Buffer.from(vol.data.buffer))).toBe(0);
    expect(a.size).toEqual(b.size);
  });
  it('corrupt or truncated single member → E_GZIP_CORRUPT (serial fallback)', async () => {
    const bad = Buffer.from(gz);
    const i2 = (bad.length * 0.7) | 0;
    bad[i2] = bad[i2]! ^ 0x3c;
    writeFileSync(join(dir, 'bad.nii.gz'), bad);
    writeFileSync(join(dir, 'cut.nii.gz'), gz.subarray(0, (gz.length * 0.8) | 0));
    for (const f of ['bad.nii.gz', 'cut.nii.gz']) {
      const err = await readVolume(join(dir, f), { parallelGunzip: true }).then(() => null, (e: { code?: string }) => e);
      expect(err?.code).toBe('E_GZIP_CORRUPT');
    }
  });
});
