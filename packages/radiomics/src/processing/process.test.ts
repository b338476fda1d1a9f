import { describe, expect, it } from 'vitest';
import { createVolume, type Mask, type Vec3, type Volume } from '@radcam/core';
import { discretise } from '../discretisation.js';
import { IBSI_DIAGNOSTIC_TAGS } from './diagnostics.js';
import { outlierBounds, processImage, resegmentRangeMask, roundHalfUp } from './process.js';

/** A volume whose value at (i,j,k) is f(i,j,k). */
function vol(size: Vec3, f: (i: number, j: number, k: number) => number, spacing: Vec3 = [1, 1, 1]): Volume<Float64Array> {
  const d = new Float64Array(size[0] * size[1] * size[2]);
  let p = 0;
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) d[p++] = f(i, j, k);
  return createVolume(d, size, { spacing });
}
function maskOf(size: Vec3, f: (i: number, j: number, k: number) => boolean, spacing: Vec3 = [1, 1, 1]): Mask {
  const v = vol(size, (i, j, k) => (f(i, j, k) ? 1 : 0), spacing);
  return createVolume(Uint8Array.from(v.data), size, { spacing });
}
const count = (m: Mask) => m.data.reduce((a, b) => a + (b ? 1 : 0), 0);

describe('range re-segmentation', () => {
  // 4×4×4 volume, value = linear index 0..63, full mask
  const img = vol([4, 4, 4], (i, j, k) => i + 4 * j + 16 * k);
  const full = maskOf([4, 4, 4], () => true);
  it('keeps the voxels inside [lo, hi] (inclusive)', () => {
    expect(count(resegmentRangeMask(img, full, [10, 20]))).toBe(11);
    expect(count(resegmentRangeMask(img, full, [-Infinity, 5]))).toBe(6);
    expect(count(resegmentRangeMask(img, full, [null, 5]))).toBe(6);
    expect(count(resegmentRangeMask(img, full, [60, Infinity]))).toBe(4);
    expect(count(resegmentRangeMask(img, full, [60, null]))).toBe(4);
    expect(count(resegmentRangeMask(img, full, [70, 80]))).toBe(0);
  });
  it('processImage: intensity mask = morphological mask ∩ range, morphological mask unchanged', () => {
    const half = maskOf([4, 4, 4], (_i, _j, k) => k < 2); // values 0..31
    const r = processImage(img, half, { resegmentRange: [10, 40] });
    expect(count(r.morphMask)).toBe(32);
    expect(count(r.intensityMask)).toBe(22); // 10..31
    expect(r.diagnostics.int_mask_vox_count_reseg_roi).toBe(22);
    expect(r.diagnostics.morph_mask_vox_count_reseg_roi).toBe(32);
    expect(r.diagnostics.int_mask_min_int_reseg_roi).toBe(10);
    expect(r.diagnostics.int_mask_max_int_reseg_roi).toBe(31);
    expect(r.diagnostics.int_mask_mean_int_reseg_roi).toBe(20.5);
    expect(r.resegmentation.fbsLowerBound).toBe(10);
  });
});

describe('outlier re-segmentation', () => {
  // values 2,4,4,4,5,5,7,9: mean 5, population SD 2
  const vals = [2, 4, 4, 4, 5, 5, 7, 9];
  const img = vol([8, 1, 1], (i) => vals[i]!);
  const full = maskOf([8, 1, 1], () => true);
  it('bounds are mean ± k·SD with the population SD', () => {
    expect(outlierBounds(img, full, 1)).toEqual([3, 7]);
    expect(outlierBounds(img, full, 3)).toEqual([-1, 11]);
  });
  it('keeps voxels within the bounds', () => {
    const r = processImage(img, full, { outlierSigma: 1 });
    expect(r.resegmentation.outlier).toEqual([3, 7]);
    expect(Array.from(r.intensityMask.data)).toEqual([0, 1, 1, 1, 1, 1, 1, 0]);
    // no range: the FBS lower bound is the ROI minimum after re-segmentation
    expect(r.resegmentation.fbsLowerBound).toBe(4);
  });
  it('runs after the range filter, on the range-filtered ROI (IBSI configuration E)', () => {
    const img9 = vol([9, 1, 1], (i) => [...vals, -1000][i]!);
    const full9 = maskOf([9, 1, 1], () => true);
    const r = processImage(img9, full9, { resegmentRange: [0, 100], outlierSigma: 1 });
    expect(r.resegmentation.outlier).toEqual([3, 7]);
    expect(count(r.intensityMask)).toBe(6);
    // range lower bound is the FBS lower bound
    expect(r.resegmentation.fbsLowerBound).toBe(0);
  });
});

describe('interpolation on the IBSI grid', () => {
  it('aligns grid centres and uses ceil(n·s/s′) voxels (1D ramp, linear)', () => {
    // 10 voxels at 1 mm, value 2·i. New spacing 2 mm: 5 voxels centred at i = 0.5, 2.5, …, 8.5.
    const img = vol([10, 1, 1], (i) => 2 * i);
    const m = maskOf([10, 1, 1], () => true);
    const r = processImage(img, m, { resample: { spacing: [2, null, null], interpolator: 'linear' } });
    expect(r.image.size).toEqual([5, 1, 1]);
    expect(r.image.spacing).toEqual([2, 1, 1]);
    expect(Array.from(r.image.data)).toEqual([1, 5, 9, 13, 17]);
    expect(r.image.origin[0]).toBeCloseTo(0.5, 12);
    expect(r.diagnostics.img_dim_x_interp_img).toBe(5);
    expect(r.diagnostics.mean_int_interp_img).toBe(9);
  });
  it('rounds interpolated intensities when asked', () => {
    const img = vol([10, 1, 1], (i) => 0.4 * i); // at i = 0.5 + 2j: 0.2, 1.0, 1.8, 2.6, 3.4
    const m = maskOf([10, 1, 1], () => true);
    const r = processImage(img, m, { resample: { spacing: [2, null, null], interpolator: 'linear', roundIntensities: true } });
    expect(Array.from(r.image.data)).toEqual([0, 1, 2, 3, 3]);
  });
  it('thresholds the interpolated mask at the partial-volume threshold (≥)', () => {
    // mask = 1 for i < 5: interpolated at 0.5, 2.5, 4.5, 6.5, 8.5 → 1, 1, 0.5, 0, 0
    const img = vol([10, 1, 1], () => 1);
    const m = maskOf([10, 1, 1], (i) => i < 5);
    const at = (t: number) =>
      Array.from(processImage(img, m, { resample: { spacing: [2, null, null], interpolator: 'linear', partialVolumeThreshold: t } }).morphMask.data);
    expect(at(0.5)).toEqual([1, 1, 1, 0, 0]);
    expect(at(0.6)).toEqual([1, 1, 0, 0, 0]);
    const nearest = processImage(img, m, { resample: { spacing: [2, null, null], interpolator: 'linear', maskInterpolator: 'nearest' } });
    // nearest at 0.5 → 1 (ties go up), 2.5 → 3, 4.5 → 5 (outside)
    expect(Array.from(nearest.morphMask.data)).toEqual([1, 1, 0, 0, 0]);
  });
  it('interpolates in-plane only when the slice spacing is null (2D configurations)', () => {
    const img = vol([6, 6, 3], (i, j, k) => i + j + 100 * k, [1, 1, 3]);
    const m = maskOf([6, 6, 3], () => true, [1, 1, 3]);
    const r = processImage(img, m, { resample: { spacing: [2, 2, null], interpolator: 'linear' } });
    expect(r.image.size).toEqual([3, 3, 3]);
    expect(r.image.spacing).toEqual([2, 2, 3]);
    // centres at 0.5, 2.5, 4.5 in x and y; slices untouched (k·100 exactly)
    expect(r.image.data[0]).toBe(1);
    expect(r.image.data[3 * 3 * 2 + 4]).toBe(200 + 2.5 + 2.5);
  });
  it('cubic B-spline is interpolating: it reproduces the samples on coinciding grid points', () => {
    // 11 voxels at 1 mm → 2 mm: 6 voxels centred at i = 0, 2, …, 10 (grid centres aligned)
    const vals = [3, -7, 12, 0, 5, 5, -2, 9, 1, 4, -6];
    const img = vol([11, 1, 1], (i) => vals[i]!);
    const m = maskOf([11, 1, 1], () => true);
    const r = processImage(img, m, { resample: { spacing: [2, null, null], interpolator: 'bspline' } });
    expect(r.image.size).toEqual([6, 1, 1]);
    for (let j = 0; j < 6; j++) expect(r.image.data[j]!).toBeCloseTo(vals[2 * j]!, 9);
  });
  it('cubic B-spline keeps a constant image constant', () => {
    const img = vol([7, 5, 4], () => -250);
    const m = maskOf([7, 5, 4], () => true);
    const r = processImage(img, m, { resample: { spacing: [0.7, 0.9, 1.3], interpolator: 'bspline' } });
    for (const v of r.image.data) expect(v).toBeCloseTo(-250, 9);
  });
});

describe('diagnostics', () => {
  it('reports all 60 IBSI tags with analytic values on a synthetic volume', () => {
    const img = vol([5, 4, 3], (i, j, k) => i + 10 * j + 100 * k, [0.5, 0.75, 2]);
    // ROI: i in 1..3, j in 1..2, k = 1 → 6 voxels, values 111..113, 121..123
    const m = maskOf([5, 4, 3], (i, j, k) => i >= 1 && i <= 3 && j >= 1 && j <= 2 && k === 1, [0.5, 0.75, 2]);
    const r = processImage(img, m, { resegmentRange: [0, 120] });
    expect(Object.keys(r.diagnostics).sort()).toEqual([...IBSI_DIAGNOSTIC_TAGS].sort());
    const d = r.diagnostics;
    expect([d.img_dim_x_init_img, d.img_dim_y_init_img, d.img_dim_z_init_img]).toEqual([5, 4, 3]);
    expect([d.vox_dim_x_init_img, d.vox_dim_y_init_img, d.vox_dim_z_init_img]).toEqual([0.5, 0.75, 2]);
    // mean of i + 10j + 100k over the grid: 2 + 15 + 100
    expect(d.mean_int_init_img).toBeCloseTo(117, 12);
    expect([d.min_int_init_img, d.max_int_init_img]).toEqual([0, 234]);
    expect([d.int_mask_bb_dim_x_init_roi, d.int_mask_bb_dim_y_init_roi, d.int_mask_bb_dim_z_init_roi]).toEqual([3, 2, 1]);
    expect(d.int_mask_vox_count_init_roi).toBe(6);
    expect(d.int_mask_mean_int_init_roi).toBe(117);
    expect(d.int_mask_vox_count_reseg_roi).toBe(3);
    expect([d.int_mask_bb_dim_x_reseg_roi, d.int_mask_bb_dim_y_reseg_roi]).toEqual([3, 1]);
    expect([d.morph_mask_bb_dim_x_reseg_roi, d.morph_mask_bb_dim_y_reseg_roi]).toEqual([3, 2]);
    expect(d.morph_mask_vox_count_reseg_roi).toBe(6);
    expect(d.int_mask_mean_int_reseg_roi).toBe(112);
    // no interpolation: interpolated stage equals the initial one
    expect(d.img_dim_x_interp_img).toBe(5);
    expect(d.mean_int_interp_img).toBe(d.mean_int_init_img);
  });
  it('rounds the initial image when asked and never modifies the inputs', () => {
    const img = vol([3, 1, 1], (i) => i + 0.4);
    const before = Float64Array.from(img.data);
    const m = maskOf([3, 1, 1], () => true);
    const r = processImage(img, m, { roundInitial: true });
    expect(Array.from(r.image.data)).toEqual([0, 1, 2]);
    expect(Array.from(img.data)).toEqual(Array.from(before));
    expect(r.image.data).not.toBe(img.data);
    expect(r.intensityMask.data).not.toBe(m.data);
  });
});

describe('errors', () => {
  const img = vol([4, 4, 4], (i) => i);
  const m = maskOf([4, 4, 4], (i) => i === 1);
  it('rejects bad settings with E_SETTINGS', () => {
    const e = expect.objectContaining({ code: 'E_SETTINGS' });
    expect(() => processImage(img, m, { resegmentRange: [5, 1] })).toThrow(e);
    expect(() => processImage(img, m, { outlierSigma: -1 })).toThrow(e);
    expect(() => processImage(img, m, { resample: { spacing: [0, 1, 1], interpolator: 'linear' } })).toThrow(e);
    expect(() => processImage(img, m, { resample: { spacing: [1, 1, 1], interpolator: 'cubic' as 'linear' } })).toThrow(e);
    expect(() => processImage(img, m, { bogus: 1 } as never)).toThrow(e);
  });
  it('E_EMPTY_ROI for an empty mask or an empty re-segmented ROI', () => {
    const e = expect.objectContaining({ code: 'E_EMPTY_ROI' });
    expect(() => processImage(img, maskOf([4, 4, 4], () => false))).toThrow(e);
    expect(() => processImage(img, m, { resegmentRange: [2, 3] })).toThrow(e);
  });
  it('E_MASK_GEOMETRY_MISMATCH when mask and image grids differ', () => {
    expect(() => processImage(img, maskOf([4, 4, 3], () => true))).toThrow(expect.objectContaining({ code: 'E_MASK_GEOMETRY_MISMATCH' }));
  });
});

describe('discretisation of processed intensities (src/discretisation.ts)', () => {
  it('fixed bin number: the maximum lands in the last bin', () => {
    // Ng = 32 over [−100, 300]: floor(32·(x+100)/400) + 1
    const d = discretise([-100, -87.5, 0, 299.99, 300], { method: 'fbn', bins: 32 });
    expect(Array.from(d.levels)).toEqual([1, 2, 9, 32, 32]);
  });
  it('fixed bin number on a constant ROI gives one grey level', () => {
    const d = discretise([7, 7, 7], { method: 'fbn', bins: 32 });
    expect(Array.from(d.levels)).toEqual([1, 1, 1]);
  });
  it('fixed bin size starts at the re-segmentation lower bound reported by processImage', () => {
    const img = vol([6, 1, 1], (i) => [-1000, -520, -500, -476, -475, 400][i]!);
    const r = processImage(img, maskOf([6, 1, 1], () => true), { resegmentRange: [-500, 400] });
    const vals = Array.from(r.image.data).filter((_v, i) => r.intensityMask.data[i]);
    const d = discretise(vals, { method: 'fbs', binWidth: 25, lowerBound: r.resegmentation.fbsLowerBound });
    // floor((x + 500)/25) + 1
    expect(Array.from(d.levels)).toEqual([1, 1, 2, 37]);
  });
});

describe('roundHalfUp', () => {
  it('rounds to nearest, ties (within 1e-7) up', () => {
    expect([2.5, -2.5, 2.49, -2.51, 2.4999999999, 7, -0.2].map(roundHalfUp)).toEqual([3, -2, 2, -3, 3, 7, 0]);
  });
});
