import { describe, expect, it } from 'vitest';
import { createVolume, isRadcamError, type Mask, type Volume } from '@radcam/core';
import { extractFeatures, MORPHOLOGY_FEATURES } from '../src/index.js';
import { syntheticCase } from './synthetic.js';

function box(size: [number, number, number], fill: (i: number, j: number, k: number) => [number, boolean], spacing: [number, number, number] = [1, 1, 1]): { image: Volume; mask: Mask } {
  const n = size[0] * size[1] * size[2];
  const img = new Float64Array(n);
  const m = new Uint8Array(n);
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) {
    const [v, inside] = fill(i, j, k);
    const l = i + size[0] * (j + size[1] * k);
    img[l] = v;
    m[l] = inside ? 1 : 0;
  }
  return { image: createVolume(img, size, { spacing }), mask: createVolume(m, size, { spacing }) };
}

/** Every value is finite or NaN, and every NaN is explained in diagnostics.undefinedFeatures. */
function expectWellFormed(r: ReturnType<typeof extractFeatures>): void {
  for (const [k, v] of Object.entries(r.features)) {
    expect(v === Infinity || v === -Infinity, `${k} = ${v}`).toBe(false);
    if (Number.isNaN(v)) expect(typeof r.diagnostics.undefinedFeatures[k], `${k} NaN without a reason`).toBe('string');
  }
}

describe('degenerate ROIs', () => {
  it('empty mask → RadcamError E_EMPTY_ROI', () => {
    const c = box([4, 4, 4], () => [1, false]);
    try {
      extractFeatures(c.image, c.mask, { preset: 'ibsi-phantom' });
      expect.unreachable();
    } catch (e) {
      expect(isRadcamError(e)).toBe(true);
      expect((e as { code: string }).code).toBe('E_EMPTY_ROI');
    }
  });

  it('empty after range re-segmentation → E_EMPTY_ROI naming re-segmentation', () => {
    const c = box([4, 4, 4], (i) => [10 + i, true]);
    expect(() => extractFeatures(c.image, c.mask, { resegmentation: { range: [100, 200] } })).toThrow(/re-segmentation/);
  });

  it('single voxel: mesh is the octahedron of the half-voxel midpoints (analytic volume, area, diameter)', () => {
    const sx = 1, sy = 2, sz = 3;
    const c = box([3, 3, 3], (i, j, k) => [7, i === 1 && j === 1 && k === 1], [sx, sy, sz]);
    const r = extractFeatures(c.image, c.mask, { preset: 'ibsi-phantom' });
    expectWellFormed(r);
    const a = sx / 2, b = sy / 2, cc = sz / 2;
    expect(r.features.morph_volume).toBeCloseTo((4 / 3) * a * b * cc, 12);
    expect(r.features.morph_area_mesh).toBeCloseTo(4 * Math.sqrt(a * a * b * b + b * b * cc * cc + a * a * cc * cc), 12);
    expect(r.features.morph_vol_approx).toBeCloseTo(sx * sy * sz, 12);
    expect(r.features.morph_diam).toBeCloseTo(Math.max(sx, sy, sz), 12);
    expect(r.features.morph_vol_dens_conv_hull).toBeCloseTo(1, 12); // an octahedron is convex
    expect(r.features.stat_var).toBe(0);
    expect(r.features.stat_skew).toBe(0);
    expect(r.features.stat_kurt).toBe(0);
    expect(r.features.ih_entropy).toBe(0);
    expect(r.features.ih_uniformity).toBe(1);
    expect(Number.isNaN(r.features.morph_moran_i)).toBe(true);
    expect(Number.isNaN(r.features.morph_pca_elongation)).toBe(true);
  });

  it('single grey level: zero-variance features take their IBSI values, spatial autocorrelation is NaN', () => {
    const c = box([5, 5, 5], (i, j, k) => [5, i > 0 && j > 0 && k > 0 && i < 4 && j < 4 && k < 4]);
    const r = extractFeatures(c.image, c.mask, { preset: 'ibsi-phantom' });
    expectWellFormed(r);
    expect(r.features.stat_var).toBe(0);
    expect(r.features.stat_skew).toBe(0);
    expect(r.features.stat_kurt).toBe(0);
    expect(r.features.stat_cov).toBe(0);
    expect(r.features.ih_uniformity).toBe(1);
    expect(r.features.ih_range).toBe(0);
    expect(Number.isNaN(r.features.morph_geary_c)).toBe(true);
    expect(r.features.ivh_auc).toBe(0);
  });

  it('one-slice ROI: 3D families still well-formed; mesh of a slab is closed', () => {
    const c = box([8, 8, 3], (i, j, k) => [1 + ((i * 3 + j) % 5), k === 1 && i > 1 && i < 6 && j > 1 && j < 6]);
    const r = extractFeatures(c.image, c.mask, { preset: 'ibsi-phantom' });
    expectWellFormed(r);
    expect(r.features.morph_volume).toBeGreaterThan(0);
    expect(r.features.morph_volume).toBeLessThan(16);
  });

  it('zero-mean intensities: CoV is NaN with a reason, not Infinity', () => {
    const c = box([4, 4, 4], (i) => [i % 2 === 0 ? -1 : 1, true]);
    const r = extractFeatures(c.image, c.mask, { families: ['intensity_statistics'] });
    expectWellFormed(r);
    expect(Number.isNaN(r.features.stat_cov)).toBe(true);
  });

  it('explicit extractors replace the built-ins; family selection works', () => {
    const c = syntheticCase();
    const r = extractFeatures(c.image, c.mask, { families: ['morphology'] });
    expect(Object.keys(r.features)).toEqual([...MORPHOLOGY_FEATURES]);
  });

  it('mask geometry mismatch → E_MASK_GEOMETRY_MISMATCH', () => {
    const c = box([4, 4, 4], () => [1, true]);
    const m = createVolume(new Uint8Array(4 * 4 * 5).fill(1), [4, 4, 5]);
    expect(() => extractFeatures(c.image, m)).toThrow(expect.objectContaining({ code: 'E_MASK_GEOMETRY_MISMATCH' }));
  });
});
