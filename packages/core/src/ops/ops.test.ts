import { describe, expect, it } from 'vitest';
import { expectArraysClose, expectClose } from '../testing.js';
import { createRng } from '../rng.js';
import { createVolume, indexToWorld, worldToIndex, type Mask, type Vec3 } from '../volume.js';
import { boundingBox, crop, cropToMask, pad } from './crop.js';
import { bsplinePrefilter, resample, resampleToGeometry } from './resample.js';
import { dilate, distanceTransform, erode, signedDistance } from './distance.js';
import { centroid, centroidIndex, connectedComponents, largestComponent } from './components.js';
import { clipPercentiles, percentile, zscoreInMask } from './intensity.js';
import { fromNdarray, toNdarray } from './ndarray.js';
import { RadcamError } from '../errors.js';

function maskFrom(size: Vec3, fn: (i: number, j: number, k: number) => boolean, spacing: Vec3 = [1, 1, 1]): Mask {
  const d = new Uint8Array(size[0] * size[1] * size[2]);
  let p = 0;
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++, p++) d[p] = fn(i, j, k) ? 1 : 0;
  return createVolume(d, size, { spacing });
}

describe('crop and pad', () => {
  const vol = createVolume(Float32Array.from({ length: 60 }, (_, i) => i), [5, 4, 3], {
    spacing: [2, 3, 4],
    origin: [10, 20, 30],
    direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1],
  });
  it('finds the inclusive bounding box and crops keeping world positions', () => {
    const m = maskFrom([5, 4, 3], (i, j, k) => i >= 1 && i <= 2 && j === 2 && k >= 1);
    expect(boundingBox(m)).toEqual({ min: [1, 2, 1], max: [2, 2, 2] });
    const c = crop(vol, [1, 2, 1], [2, 2, 2]);
    expect(c.size).toEqual([2, 1, 2]);
    // voxel (0,0,0) of the crop is voxel (1,2,1) of the input: value 1 + 5*2 + 20*1
    expect(Array.from(c.data)).toEqual([31, 32, 51, 52]);
    expect(c.origin).toEqual(indexToWorld(vol, [1, 2, 1]));
    expect(c.origin).toEqual([8, 14, 34]);
  });
  it('crops to a mask with a margin in mm, clamped to the volume', () => {
    const m = { ...maskFrom([5, 4, 3], (i, j, k) => i === 2 && j === 1 && k === 1), spacing: vol.spacing, origin: vol.origin, direction: vol.direction };
    const r = cropToMask(vol, m, { marginMm: 2.5 });
    // 2.5 mm → ceil(1.25)=2 voxels in x, ceil(0.83)=1 in y, ceil(0.625)=1 in z
    expect(r.min).toEqual([0, 0, 0]);
    expect(r.max).toEqual([4, 2, 2]);
    expect(r.mask.data.reduce((a, b) => a + b, 0)).toBe(1);
    expect(() => cropToMask(vol, { ...m, data: new Uint8Array(60) })).toThrowError(RadcamError);
  });
  it('pads with constants or nearest values and shifts the origin', () => {
    const small = createVolume(Int16Array.of(1, 2, 3, 4), [2, 2, 1], { spacing: [1, 2, 1] });
    const p = pad(small, [1, 0, 0], [0, 1, 1], { mode: 'nearest' });
    expect(p.size).toEqual([3, 3, 2]);
    expect(Array.from(p.data.subarray(0, 9))).toEqual([1, 1, 2, 3, 3, 4, 3, 3, 4]);
    expect(p.origin).toEqual([-1, 0, 0]);
    const c = pad(small, [1, 1, 0], [0, 0, 0], { value: -5 });
    expect(Array.from(c.data)).toEqual([-5, -5, -5, -5, 1, 2, -5, 3, 4]);
  });
});

describe('resample', () => {
  it('uses the IBSI grid: ceil(n·s/s′) voxels, grid centres aligned (CT phantom config B: 100×99×60)', () => {
    const v = createVolume(new Float32Array(204 * 201 * 60), [204, 201, 60], { spacing: [0.977, 0.977, 3], origin: [174.39, 79.63, -100.4], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] });
    const r = resample(v, { spacing: [2, 2, 3], interpolator: 'linear' });
    expect(r.size).toEqual([100, 99, 60]);
    const cOld = indexToWorld(v, [203 / 2, 200 / 2, 59 / 2]);
    const cNew = indexToWorld(r, [99 / 2, 98 / 2, 59 / 2]);
    expectArraysClose(cNew, cOld, { atol: 1e-9 });
  });
  it('reproduces a linear ramp exactly with linear interpolation', () => {
    const size: Vec3 = [9, 7, 5];
    const f = (x: number, y: number, z: number) => 3 * x - 2 * y + 0.5 * z + 7; // world coordinates
    const data = new Float64Array(9 * 7 * 5);
    const v = createVolume(data, size, { spacing: [1, 1.5, 2], origin: [1, 2, 3] });
    let p = 0;
    for (let k = 0; k < 5; k++) for (let j = 0; j < 7; j++) for (let i = 0; i < 9; i++) {
      const w = indexToWorld(v, [i, j, k]);
      data[p++] = f(w[0], w[1], w[2]);
    }
    const r = resample(v, { spacing: [0.7, 1.1, 1.3], interpolator: 'linear', outputType: 'float64' });
    p = 0;
    let checked = 0;
    for (let k = 0; k < r.size[2]; k++) for (let j = 0; j < r.size[1]; j++) for (let i = 0; i < r.size[0]; i++, p++) {
      const w = indexToWorld(r, [i, j, k]);
      const src = worldToIndex(v, w);
      // only inside the original grid (outside, IBSI extrapolates with nearest values)
      if (src.every((s, c) => s >= 0 && s <= size[c]! - 1)) {
        expectClose(r.data[p]!, f(w[0], w[1], w[2]), { atol: 1e-9 });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
  it('reproduces a cubic polynomial with cubic B-splines away from the borders', () => {
    const n = 40;
    const g = (x: number) => 0.002 * x ** 3 - 0.05 * x ** 2 + x;
    const data = new Float64Array(n * 3 * 3);
    for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < n; i++) data[i + n * (j + 3 * k)] = g(i);
    const v = createVolume(data, [n, 3, 3]);
    const r = resample(v, { spacing: [0.37, 1, 1], interpolator: 'bspline', outputType: 'float64' });
    let checked = 0;
    for (let i = 0; i < r.size[0]; i++) {
      const x = worldToIndex(v, indexToWorld(r, [i, 1, 1]))[0];
      if (x > 12 && x < n - 13) {
        expectClose(r.data[i + r.size[0] * (1 + 3)]!, g(x), { atol: 1e-6, label: `x=${x}` });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
    // and it interpolates: on the original grid the samples come back
    const same = resample(v, { spacing: [1, 1, 1], interpolator: 'bspline', outputType: 'float64' });
    expectArraysClose(same.data, data, { atol: 1e-8 });
  });
  it('bsplinePrefilter gives coefficients whose cubic B-spline reproduces the samples (mirror boundaries)', () => {
    // Cubic B-spline at integer knots: f[i] = (c[i−1] + 4·c[i] + c[i+1]) / 6, with c[−1] = c[1], c[n] = c[n−2].
    const check = (n: number, tolerance?: number) => {
      const rng = createRng(n);
      const f = Float64Array.from({ length: n }, () => rng.next() * 10 - 5);
      const c = Float64Array.from(f);
      bsplinePrefilter(c, [n, 1, 1], tolerance === undefined ? {} : { tolerance });
      const at = (i: number) => c[i < 0 ? -i : i >= n ? 2 * n - 2 - i : i]!;
      const back = Float64Array.from({ length: n }, (_, i) => (at(i - 1) + 4 * at(i) + at(i + 1)) / 6);
      expectArraysClose(back, f, { atol: tolerance === undefined ? 1e-9 : 1e-7 });
    };
    check(5); // short line: exact mirror-symmetric initialisation
    check(64); // long line: truncated causal sum
    check(64, 1e-10);
    expect(() => bsplinePrefilter(new Float64Array(5), [4, 1, 1])).toThrow(RadcamError);
  });
  it('nearest keeps the input type and values on an unchanged grid', () => {
    const v = createVolume(Int16Array.from({ length: 24 }, (_, i) => i * 3 - 20), [4, 3, 2], { spacing: [1, 2, 3] });
    const r = resample(v, { spacing: [1, 2, 3], interpolator: 'nearest' });
    expect(r.data).toBeInstanceOf(Int16Array);
    expect(Array.from(r.data)).toEqual(Array.from(v.data));
  });
  it('rejects bad spacing with a typed error', () => {
    const v = createVolume(new Float32Array(8), [2, 2, 2]);
    expect(() => resample(v, { spacing: [1, Number.NaN, 1] })).toThrowError(/spacing/);
  });
  it('resampleToGeometry maps world positions across different directions', () => {
    const v = createVolume(Float32Array.from({ length: 27 }, (_, i) => i), [3, 3, 3], { spacing: [1, 1, 1] });
    // target grid: x axis flipped, origin at the far x side → voxel (i) ↔ source (2 − i)
    const t = resampleToGeometry(v, { size: [3, 3, 3], spacing: [1, 1, 1], origin: [2, 0, 0], direction: Float64Array.of(-1, 0, 0, 0, 1, 0, 0, 0, 1) }, { interpolator: 'nearest' });
    expect(Array.from(t.data.subarray(0, 3))).toEqual([2, 1, 0]);
    // outside the source: fill value
    const o = resampleToGeometry(v, { size: [2, 1, 1], spacing: [1, 1, 1], origin: [2, 0, 0], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) }, { fill: -1 });
    expect(Array.from(o.data)).toEqual([2, -1]);
  });
});

describe('distance transform and morphology', () => {
  it('equals brute force Euclidean distances with anisotropic spacing', () => {
    const rng = createRng(3);
    const size: Vec3 = [9, 7, 6];
    const spacing: Vec3 = [0.5, 0.8, 2];
    const m = maskFrom(size, () => rng.next() < 0.08, spacing);
    const dt = distanceTransform(m).data;
    const dtIn = distanceTransform(m, { to: 'background' }).data;
    const pts: Vec3[] = [];
    const bg: Vec3[] = [];
    let p = 0;
    for (let k = 0; k < 6; k++) for (let j = 0; j < 7; j++) for (let i = 0; i < 9; i++, p++) (m.data[p] ? pts : bg).push([i, j, k]);
    p = 0;
    for (let k = 0; k < 6; k++) for (let j = 0; j < 7; j++) for (let i = 0; i < 9; i++, p++) {
      const near = (set: Vec3[]) => Math.min(...set.map(([a, b, c]) => Math.hypot((a - i) * 0.5, (b - j) * 0.8, (c - k) * 2)));
      expectClose(dt[p]!, m.data[p] ? 0 : near(pts), { rtol: 1e-6, atol: 1e-6 });
      expectClose(dtIn[p]!, m.data[p] ? near(bg) : 0, { rtol: 1e-6, atol: 1e-6 });
    }
  });
  it('signed distance is negative inside', () => {
    const m = maskFrom([5, 5, 5], (i, j, k) => i === 2 && j === 2 && k === 2);
    const s = signedDistance(m).data;
    expect(s[2 + 5 * (2 + 5 * 2)]).toBe(-1);
    expect(s[0]).toBeCloseTo(Math.sqrt(12), 6);
  });
  it('dilating a point by r mm gives the voxel-centre ball; erosion undoes it', () => {
    const size: Vec3 = [21, 21, 21];
    const m = maskFrom(size, (i, j, k) => i === 10 && j === 10 && k === 10, [0.5, 0.5, 0.5]);
    const r = 3.2;
    const d = dilate(m, r);
    let expected = 0;
    for (let k = 0; k < 21; k++) for (let j = 0; j < 21; j++) for (let i = 0; i < 21; i++)
      if (Math.hypot(i - 10, j - 10, k - 10) * 0.5 <= r) expected++;
    expect(d.data.reduce((a, b) => a + b, 0)).toBe(expected);
    // a ball of radius 4 mm eroded by 2 mm is the voxel-centre ball of radius ≈ 2 mm
    const ball = maskFrom(size, (i, j, k) => Math.hypot(i - 10, j - 10, k - 10) * 0.5 <= 4, [0.5, 0.5, 0.5]);
    const e = erode(ball, 2);
    let inner = 0;
    for (let k = 0; k < 21; k++) for (let j = 0; j < 21; j++) for (let i = 0; i < 21; i++)
      if (Math.hypot(i - 10, j - 10, k - 10) * 0.5 <= 2) inner++;
    const got = e.data.reduce((a, b) => a + b, 0);
    expect(Math.abs(got - inner) / inner).toBeLessThan(0.15);
    for (let p = 0; p < e.data.length; p++) if (e.data[p]) expect(ball.data[p]).toBe(1);
  });
});

describe('connected components and centroid', () => {
  it('respects 6/18/26 connectivity', () => {
    // (0,0,0)-(1,1,0) share an edge; (1,1,0)-(2,2,1) share only a corner
    const m = maskFrom([3, 3, 2], (i, j, k) => (i === 0 && j === 0 && k === 0) || (i === 1 && j === 1 && k === 0) || (i === 2 && j === 2 && k === 1));
    expect(connectedComponents(m, 6).count).toBe(3);
    expect(connectedComponents(m, 18).count).toBe(2);
    const c26 = connectedComponents(m, 26);
    expect(c26.count).toBe(1);
    expect(c26.sizes).toEqual([3]);
    const two = maskFrom([6, 1, 1], (i) => i !== 2 && i !== 3 && i !== 1);
    expect(largestComponent(two, 6).data.reduce((a, b) => a + b, 0)).toBe(2);
  });
  it('computes the centroid in index and LPS world coordinates', () => {
    const m = maskFrom([4, 4, 4], (i, j, k) => i >= 1 && i <= 2 && j <= 1 && k === 3);
    expect(centroidIndex(m)).toEqual([1.5, 0.5, 3]);
    const flipped: Mask = { ...m, spacing: [2, 2, 2], origin: [100, 0, 0], direction: Float64Array.of(-1, 0, 0, 0, 1, 0, 0, 0, 1) };
    expect(centroid(flipped)).toEqual([97, 1, 6]);
  });
});

describe('intensity normalisation', () => {
  it('z-scores to mean 0 and SD 1 in the mask', () => {
    const v = createVolume(Float32Array.of(1, 2, 3, 4, 100, 100, 100, 100), [2, 2, 2]);
    const m = createVolume(Uint8Array.of(1, 1, 1, 1, 0, 0, 0, 0), [2, 2, 2]);
    const z = zscoreInMask(v, m).data;
    const sd = Math.sqrt(1.25);
    expectArraysClose(z.subarray(0, 4), [-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd], { rtol: 1e-6 });
  });
  it('percentiles follow numpy linear interpolation', () => {
    // numpy.percentile([1,2,3,4], [25, 50, 90]) = [1.75, 2.5, 3.7]
    expectClose(percentile([4, 1, 3, 2], 25), 1.75);
    expectClose(percentile([4, 1, 3, 2], 50), 2.5);
    expectClose(percentile([4, 1, 3, 2], 90), 3.7);
    const v = createVolume(Float32Array.of(0, 10, 20, 30, 40, 50, 60, 70), [2, 2, 2]);
    const c = clipPercentiles(v, 25, 75);
    expect(c.bounds).toEqual([17.5, 52.5]);
    expect(c.data[0]).toBe(17.5);
    expect(c.data[7]).toBe(52.5);
  });
});

describe('ndarray interop', () => {
  it('views without copying and copies only non-contiguous inputs', () => {
    const v = createVolume(Float32Array.from({ length: 24 }, (_, i) => i), [4, 3, 2]);
    const a = toNdarray(v);
    expect(a.get(1, 2, 1)).toBe(1 + 4 * 2 + 12);
    a.set(0, 0, 0, 42);
    expect(v.data[0]).toBe(42);
    const back = fromNdarray(a);
    expect(back.copied).toBe(false);
    expect(back.data).toBe(v.data);
    const t = fromNdarray(a.transpose(1, 0, 2));
    expect(t.copied).toBe(true);
    expect(t.size).toEqual([3, 4, 2]);
    expect(t.data[1]).toBe(v.data[4]);
  });
});
