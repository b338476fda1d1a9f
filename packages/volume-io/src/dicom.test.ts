import { describe, expect, it } from 'vitest';
import { ctSlice, rtstructFile } from '../test/helpers/dicom-writer.js';
import { decodeDicomSeries } from './dicom.js';
import { listRtstructRoisFromBytes, rtstructMaskFromBytes } from './rtstruct.js';
import type { Geometry } from '@radcam/core';

const ROWS = 3;
const COLS = 4;
/** pixel (c, r) of slice k holds 100·k + 10·r + c (stored), so values identify their voxel. */
const pixels = (k: number) => Int16Array.from({ length: ROWS * COLS }, (_, i) => 100 * k + 10 * Math.floor(i / COLS) + (i % COLS));

async function codeOf(fn: () => unknown): Promise<{ code?: string; message: string }> {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  return { message: 'no error' };
}

describe('DICOM series', () => {
  it('sorts by position along the normal, rescales, takes spacing from positions', () => {
    // slices given in shuffled order; z positions 10, 12.5, 15, 17.5; spacing [row 0.8, col 0.6]
    const files = [2, 0, 3, 1].map((k) => ({ name: `s${k}`, bytes: ctSlice({ ipp: [-5, 7, 10 + 2.5 * k], pixels: pixels(k), rows: ROWS, cols: COLS, spacing: [0.8, 0.6], slope: 2, intercept: -1000 }) }));
    const v = decodeDicomSeries(files);
    expect(v.size).toEqual([COLS, ROWS, 4]);
    expect(v.spacing).toEqual([0.6, 0.8, 2.5]);
    expect(v.origin).toEqual([-5, 7, 10]);
    expect(Array.from(v.direction)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(v.data).toBeInstanceOf(Int16Array);
    for (let k = 0; k < 4; k++) for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) {
      expect(v.data[c + COLS * (r + ROWS * k)]).toBe(2 * (100 * k + 10 * r + c) - 1000);
    }
  });

  it('oblique orientation: the normal is row × column, sorting follows it', () => {
    // rows along +y, columns along −x → normal = (0,1,0)×(−1,0,0) = (0,0,1)
    const iop = [0, 1, 0, -1, 0, 0];
    const files = [1, 0].map((k) => ({ bytes: ctSlice({ ipp: [0, 0, -3 * k], iop, pixels: pixels(k), rows: ROWS, cols: COLS }) }));
    const v = decodeDicomSeries(files);
    expect(Array.from(v.direction)).toEqual([0, -1, 0, 1, 0, 0, 0, 0, 1]);
    expect(v.origin).toEqual([0, 0, -3]); // slice at z = −3 comes first
    expect(v.data[0]).toBe(100); // and it is the file with k = 1
  });

  it('a non-integer slope gives float32', () => {
    const files = [0, 1].map((k) => ({ bytes: ctSlice({ ipp: [0, 0, k], pixels: pixels(k), rows: ROWS, cols: COLS, slope: 0.5, intercept: 0.25 }) }));
    const v = decodeDicomSeries(files);
    expect(v.data).toBeInstanceOf(Float32Array);
    expect(v.data[5]).toBe((10 + 1) * 0.5 + 0.25);
  });

  it('uneven spacing → E_DICOM_UNEVEN_SPACING, or linear resampling when allowed', async () => {
    // positions 0, 1, 3: mean spacing 1.5; value of every pixel = 10·z (z in mm) so linear interpolation is exact
    const zs = [0, 1, 3];
    const files = zs.map((z) => ({ bytes: ctSlice({ ipp: [0, 0, z], pixels: new Int16Array(ROWS * COLS).fill(10 * z), rows: ROWS, cols: COLS }) }));
    expect((await codeOf(() => decodeDicomSeries(files))).code).toBe('E_DICOM_UNEVEN_SPACING');
    const v = decodeDicomSeries(files, { allowResample: true });
    expect(v.size).toEqual([COLS, ROWS, 3]);
    expect(v.spacing[2]).toBe(1.5);
    expect(v.data).toBeInstanceOf(Float32Array);
    expect([v.data[0], v.data[ROWS * COLS], v.data[2 * ROWS * COLS]]).toEqual([0, 15, 30]);
  });

  it('gantry tilt → E_DICOM_GANTRY_TILT, or shear-corrected resampling when allowed', async () => {
    // slice k is shifted by k columns (0.6 mm each) along the row direction
    const files = [0, 1, 2].map((k) => ({ bytes: ctSlice({ ipp: [0.6 * k, 0, 2 * k], pixels: pixels(k), rows: ROWS, cols: COLS, spacing: [0.8, 0.6] }) }));
    expect((await codeOf(() => decodeDicomSeries(files))).code).toBe('E_DICOM_GANTRY_TILT');
    const v = decodeDicomSeries(files, { allowResample: true });
    expect(v.spacing[2]).toBe(2);
    expect(v.origin).toEqual([0, 0, 0]);
    // output voxel (c, r, k) lies at column c − k of input slice k
    for (let k = 0; k < 3; k++) for (let r = 0; r < ROWS; r++) for (let c = k; c < COLS; c++) {
      expect(v.data[c + COLS * (r + ROWS * k)]).toBe(100 * k + 10 * r + (c - k));
    }
  });

  it('compressed transfer syntax → E_DICOM_TRANSFER_SYNTAX naming UID and syntax', async () => {
    const files = [{ name: 'j2k.dcm', bytes: ctSlice({ ipp: [0, 0, 0], pixels: pixels(0), rows: ROWS, cols: COLS, transferSyntax: '1.2.840.10008.1.2.4.90' }) }];
    const err = await codeOf(() => decodeDicomSeries(files));
    expect(err.code).toBe('E_DICOM_TRANSFER_SYNTAX');
    expect(err.message).toContain('1.2.840.10008.1.2.4.90');
    expect(err.message).toContain('JPEG 2000 Image Compression (Lossless Only)');
  });

  it('picks the largest series unless seriesUid is given', () => {
    const files = [
      ...[0, 1, 2].map((k) => ({ bytes: ctSlice({ ipp: [0, 0, k], pixels: pixels(k), rows: ROWS, cols: COLS, series: '1.1' }) })),
      { bytes: ctSlice({ ipp: [0, 0, 0], pixels: pixels(7), rows: ROWS, cols: COLS, series: '2.2' }) },
    ];
    expect(decodeDicomSeries(files).size[2]).toBe(3);
    expect(decodeDicomSeries(files, { seriesUid: '2.2' }).data[0]).toBe(700);
  });
});

describe('RTSTRUCT rasterisation', () => {
  // 10×10×2 grid, spacing 1 mm, origin 0: voxel centres at integer mm
  const ref: Geometry = { size: [10, 10, 2], spacing: [1, 1, 1], origin: [0, 0, 0], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) };
  const square = (x0: number, y0: number, x1: number, y1: number, z: number) => [x0, y0, z, x1, y0, z, x1, y1, z, x0, y1, z];
  const bytes = rtstructFile([
    // outer square 1.5…7.5 (centres 2..7 → 6×6 = 36), hole 3.5…5.5 (centres 4,5 → 4): 32 voxels on slice 1
    { number: 3, name: 'Ring', contours: [square(1.5, 1.5, 7.5, 7.5, 1), square(3.5, 3.5, 5.5, 5.5, 1)] },
    { number: 5, name: 'Dot', contours: [square(-0.5, -0.5, 0.5, 0.5, 0)] },
  ]);

  it('lists ROI names and contour counts', () => {
    expect(listRtstructRoisFromBytes(bytes)).toEqual([
      { number: 3, name: 'Ring', contours: 2 },
      { number: 5, name: 'Dot', contours: 1 },
    ]);
  });

  it('even–odd rule makes a contour inside another a hole (voxel-centre test)', () => {
    const m = rtstructMaskFromBytes(bytes, ref, 'Ring');
    let n = 0;
    for (const v of m.data) n += v;
    expect(n).toBe(32);
    const at = (x: number, y: number, z: number) => m.data[x + 10 * (y + 10 * z)];
    expect([at(2, 2, 1), at(7, 7, 1), at(4, 4, 1), at(5, 5, 1), at(3, 3, 1), at(8, 8, 1), at(2, 2, 0)]).toEqual([1, 1, 0, 0, 1, 0, 0]);
    const dot = rtstructMaskFromBytes(bytes, ref, 'dot'); // case-insensitive fallback
    expect(dot.data.reduce((s, v) => s + v, 0)).toBe(1);
    expect(dot.data[0]).toBe(1);
  });

  it('unknown ROI → E_ROI_NOT_FOUND listing the available names', async () => {
    const err = await codeOf(() => rtstructMaskFromBytes(bytes, ref, 'GTV'));
    expect(err.code).toBe('E_ROI_NOT_FOUND');
    expect(err.message).toContain('"Ring", "Dot"');
  });
});
