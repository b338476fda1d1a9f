import { describe, expect, it } from 'vitest';
import type { TypedArray, Volume } from '@radcam/core';
import { decodeVolume, decodeVolumeInfo, encodeVolume } from './formats.js';
import { decodeNifti, parseNiftiHeader } from './nifti.js';

const vol = (data: TypedArray, size: [number, number, number] = [3, 2, 2]): Volume => ({
  data, size, spacing: [0.5, 1.25, 3], origin: [10, -20, 30.5], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
});

/** Hand-built NIfTI-1 header (nifti1.h byte offsets), little- or big-endian. */
function nifti1(o: {
  le?: boolean; dim?: number[]; datatype?: number; bitpix?: number; pixdim?: number[]; slope?: number; inter?: number;
  qform?: number; sform?: number; quatern?: number[]; qoffset?: number[]; srow?: number[]; units?: number; data?: Uint8Array;
}): Uint8Array {
  const le = o.le ?? true;
  const data = o.data ?? new Uint8Array(0);
  const b = new Uint8Array(352 + data.length);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, 348, le);
  (o.dim ?? [3, 2, 2, 1, 1, 1, 1, 1]).forEach((d, k) => dv.setInt16(40 + 2 * k, d, le));
  dv.setInt16(70, o.datatype ?? 4, le);
  dv.setInt16(72, o.bitpix ?? 16, le);
  (o.pixdim ?? [1, 1, 1, 1, 0, 0, 0, 0]).forEach((p, k) => dv.setFloat32(76 + 4 * k, p, le));
  dv.setFloat32(108, 352, le);
  dv.setFloat32(112, o.slope ?? 0, le);
  dv.setFloat32(116, o.inter ?? 0, le);
  b[123] = o.units ?? 2;
  dv.setInt16(252, o.qform ?? 0, le);
  dv.setInt16(254, o.sform ?? 0, le);
  (o.quatern ?? [0, 0, 0]).forEach((q, k) => dv.setFloat32(256 + 4 * k, q, le));
  (o.qoffset ?? [0, 0, 0]).forEach((q, k) => dv.setFloat32(268 + 4 * k, q, le));
  (o.srow ?? new Array(12).fill(0)).forEach((q, k) => dv.setFloat32(280 + 4 * k, q, le));
  b.set([0x6e, 0x2b, 0x31, 0], 344);
  b.set(data, 352);
  return b;
}

describe('NIfTI datatypes', () => {
  const arrays: TypedArray[] = [
    Uint8Array.of(0, 1, 2, 3, 254, 255, 7, 8, 9, 10, 11, 12),
    Int8Array.of(-128, -1, 0, 1, 127, 5, 6, 7, 8, 9, 10, 11),
    Int16Array.of(-32768, -1000, 0, 1, 32767, 5, 6, 7, 8, 9, 10, 11),
    Uint16Array.of(0, 1, 65535, 3, 4, 5, 6, 7, 8, 9, 10, 11),
    Int32Array.of(-2147483648, 2147483647, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11),
    Uint32Array.of(4294967295, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
    Float32Array.of(-1.5, 0.1, 3.4e38, NaN, -0, Infinity, 6, 7, 8, 9, 10, 11),
    Float64Array.of(Math.PI, -1e-300, 1e300, 3, 4, 5, 6, 7, 8, 9, 10, 11),
  ];
  for (const a of arrays) {
    for (const version of [1, 2] as const) {
      for (const fmt of ['.nii', '.nii.gz']) {
        it(`${a.constructor.name} NIfTI-${version} ${fmt} round trip`, () => {
          const bytes = encodeVolume(vol(a), { format: fmt, niftiVersion: version });
          expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(fmt === '.nii.gz');
          const back = decodeVolume(bytes);
          expect(back.data.constructor).toBe(a.constructor);
          expect(Array.from(back.data)).toEqual(Array.from(a));
          expect(back.size).toEqual([3, 2, 2]);
          expect(back.spacing).toEqual([0.5, 1.25, 3]);
          expect(back.origin).toEqual([10, -20, 30.5]);
          expect(Array.from(back.direction).map((x) => x + 0)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
          if (fmt === '.nii') expect(parseNiftiHeader(bytes).version).toBe(version);
        });
      }
    }
  }

  it('int64 and uint64 are read into Float64Array', () => {
    const d = new Uint8Array(32);
    const dv = new DataView(d.buffer);
    [-5n, 2n ** 40n, 0n, 7n].forEach((v, i) => dv.setBigInt64(i * 8, v, true));
    const v = decodeNifti(nifti1({ dim: [3, 2, 2, 1, 1, 1, 1, 1], datatype: 1024, bitpix: 64, data: d }));
    expect(v.data).toBeInstanceOf(Float64Array);
    expect(Array.from(v.data)).toEqual([-5, 2 ** 40, 0, 7]);
    [1n, 2n ** 63n, 3n, 4n].forEach((x, i) => dv.setBigUint64(i * 8, x, true));
    const u = decodeNifti(nifti1({ dim: [3, 2, 2, 1, 1, 1, 1, 1], datatype: 1280, bitpix: 64, data: d }));
    expect(Array.from(u.data)).toEqual([1, 2 ** 63, 3, 4]);
  });

  it('big-endian files are byte-swapped', () => {
    const d = new Uint8Array(8);
    const dv = new DataView(d.buffer);
    [-2, 300, 7, -32768].forEach((x, i) => dv.setInt16(i * 2, x, false));
    const v = decodeNifti(nifti1({ le: false, data: d }));
    expect(Array.from(v.data)).toEqual([-2, 300, 7, -32768]);
  });

  it('applies scl_slope / scl_inter (float32 result) and ignores slope 0', () => {
    const d = new Uint8Array(new Int16Array([0, 1, -2, 100]).buffer);
    const v = decodeNifti(nifti1({ data: d, slope: 2, inter: -5 }));
    expect(v.data).toBeInstanceOf(Float32Array);
    expect(Array.from(v.data)).toEqual([-5, -3, -9, 195]);
    expect(decodeNifti(nifti1({ data: d, slope: 0, inter: 9 })).data).toBeInstanceOf(Int16Array);
    const info = decodeVolumeInfo(nifti1({ data: d, slope: 2, inter: -5 }));
    expect(info.dtype).toBe('float32');
  });
});

describe('NIfTI orientation (nifti1.h methods 3 / 2 / 1, RAS → LPS)', () => {
  const d = new Uint8Array(8);
  // qform: 90° about z: quaternion (a, b, c, d) = (cos 45°, 0, 0, sin 45°) → R = [[0,-1,0],[1,0,0],[0,0,1]] (RAS)
  const s = Math.SQRT1_2;
  const base = { data: d, pixdim: [1, 2, 3, 4, 0, 0, 0, 0], quatern: [0, 0, s], qoffset: [5, 6, 7] };

  it('sform wins when sform_code > 0', () => {
    const v = decodeNifti(nifti1({ ...base, qform: 1, sform: 2, srow: [0, 0, -4, 1, 2, 0, 0, 2, 0, 3, 0, 3] }));
    // RAS affine columns: (0,2,0), (0,0,3), (-4,0,0); LPS: negate rows x,y
    expect(v.spacing).toEqual([2, 3, 4]);
    expect(Array.from(v.direction).map((x) => x + 0)).toEqual([0, 0, 1, -1, 0, 0, 0, 1, 0]);
    expect(v.origin).toEqual([-1, -2, 3]);
  });

  it('qform when sform_code = 0 (with qfac = pixdim[0])', () => {
    const v = decodeNifti(nifti1({ ...base, qform: 1, sform: 0 }));
    expect(v.spacing.map((x) => +x.toFixed(6))).toEqual([2, 3, 4]);
    // RAS R = [[0,-1,0],[1,0,0],[0,0,1]] → LPS rows x,y negated: [[0,1,0],[-1,0,0],[0,0,1]]
    expect(Array.from(v.direction).map((x) => +x.toFixed(6) + 0)).toEqual([0, 1, 0, -1, 0, 0, 0, 0, 1]);
    expect(v.origin).toEqual([-5, -6, 7]);
    const flipped = decodeNifti(nifti1({ ...base, pixdim: [-1, 2, 3, 4, 0, 0, 0, 0], qform: 1 }));
    expect(+flipped.direction[8]!.toFixed(6)).toBe(-1);
  });

  it('pixdim only when both codes are 0 (RAS axes → LPS diag(−1, −1, 1), zero origin)', () => {
    const v = decodeNifti(nifti1({ ...base }));
    expect(v.spacing).toEqual([2, 3, 4]);
    expect(Array.from(v.direction).map((x) => x + 0)).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(v.origin.map((x) => x + 0)).toEqual([0, 0, 0]);
  });

  it('metres are converted to mm', () => {
    const v = decodeNifti(nifti1({ ...base, units: 1 }));
    expect(v.spacing).toEqual([2000, 3000, 4000]);
  });

  it('oblique geometry survives encode → decode (v2 exactly, v1 to float32 precision)', () => {
    const c = Math.cos(0.3), sn = Math.sin(0.3);
    const v: Volume = { data: new Int16Array(12), size: [3, 2, 2], spacing: [0.7, 0.9, 2.5], origin: [1.1, -2.2, 3.3], direction: Float64Array.of(c, -sn, 0, sn, c, 0, 0, 0, -1) };
    const b2 = decodeVolume(encodeVolume(v, { format: '.nii', niftiVersion: 2 }));
    for (let i = 0; i < 9; i++) expect(b2.direction[i]).toBeCloseTo(v.direction[i]!, 14);
    for (let i = 0; i < 3; i++) expect(b2.spacing[i]).toBeCloseTo(v.spacing[i]!, 14);
    expect(b2.origin).toEqual(v.origin);
    const b1 = decodeVolume(encodeVolume(v, { format: '.nii' }));
    for (let i = 0; i < 9; i++) expect(b1.direction[i]).toBeCloseTo(v.direction[i]!, 6);
    // qform written alongside the sform describes the same rotation
    const h = parseNiftiHeader(encodeVolume(v, { format: '.nii' }));
    expect(h.qformCode).toBe(1);
    expect(h.pixdim[0]).toBe(-1); // det < 0 → qfac −1
  });
});
