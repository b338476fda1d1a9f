import { describe, expect, it } from 'vitest';
import { createExtractionContext, createVolume, extractorRegistry, isRadcamError, type Vec3 } from '@radcam/core';
import { expectClose } from '@radcam/core/testing';
import {
  OCTANT_LPS_NAMES,
  basicFeatureNames,
  computeGradient,
  computeGradientMaps,
  extractGradientFeatures,
  gradientExtractors,
  gradientFeatureNames,
  gradientRegions,
  octantCode,
  registerGradientExtractors,
} from '@radcam/gradient-features';
import { ballVolume, dist, gridAround, phantom } from './phantoms.js';

const C: Vec3 = [12.3, -40.2, 25.7];
const SLOPE = 5;
const R = 10; // 4189 mm³ > 4000 → default margin 3 mm

const ALL_REGIONS = ['core', 'margin', ...OCTANT_LPS_NAMES.map((n) => `oct_${n}`)];

function risingBall(spacing: Vec3, sign = 1, direction?: number[]) {
  const r = dist(C);
  return phantom(
    gridAround(C, R + 5, spacing, direction),
    (x, y, z) => 200 + sign * SLOPE * r(x, y, z),
    (x, y, z) => r(x, y, z) <= R,
  );
}

function expectCode(fn: () => unknown, code: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isRadcamError(err), String(err)).toBe(true);
  expect((err as { code: string }).code).toBe(code);
}

describe('feature names', () => {
  it('are exactly 90 basic names grad_<map>_<region>_<stat>', () => {
    const names = basicFeatureNames();
    expect(names).toHaveLength(90);
    expect(new Set(names).size).toBe(90);
    for (const n of names) expect(n).toMatch(/^grad_(mag|radial|raddev)_(core|margin|oct_[LR][PA][SI])_(mean|sd|cv)$/);
    expect(basicFeatureNames('numeric')).toContain('grad_raddev_oct8_cv');
    expect(gradientFeatureNames({ groups: ['basic', 'distribution', 'orientation'] }).length).toBe(90 + 3 * 10 * 7 + 10 * 26);
  });

  it('octant codes follow the documented sign convention', () => {
    expect(octantCode(1, 1, 1)).toBe(1); // LPS
    expect(octantCode(-1, 1, 1)).toBe(2); // RPS
    expect(octantCode(-1, -1, 1)).toBe(3); // RAS
    expect(octantCode(1, -1, 1)).toBe(4); // LAS
    expect(octantCode(1, 1, -1)).toBe(5); // LPI
    expect(octantCode(-1, 1, -1)).toBe(6); // RPI
    expect(octantCode(-1, -1, -1)).toBe(7); // RAI
    expect(octantCode(1, -1, -1)).toBe(8); // LAI
    expect(OCTANT_LPS_NAMES[6]).toBe('RAI');
  });
});

describe('gradient vector field', () => {
  it('central and Gaussian derivatives recover a linear ramp exactly (anisotropic spacing)', () => {
    // I = 2x + 3y − 4z (world mm) → ∇I = (2, 3, −4) per mm everywhere.
    const { image } = phantom({ size: [20, 20, 9], spacing: [0.5, 0.5, 2] }, (x, y, z) => 2 * x + 3 * y - 4 * z, () => true);
    for (const opts of [{ method: 'central' as const }, { method: 'gaussian' as const, sigmaMm: 1 }]) {
      const g = computeGradient(image, opts);
      const p = 10 + 20 * (10 + 20 * 4); // an interior voxel (≥ 4σ from the x/y borders)
      expectClose(g.x[p]!, 2, { rtol: 1e-5 });
      expectClose(g.y[p]!, 3, { rtol: 1e-5 });
      expectClose(g.z[p]!, -4, { rtol: 1e-5 });
    }
    // one-sided differences at the border are exact for a ramp too
    const g = computeGradient(image);
    expectClose(g.x[0]!, 2, { rtol: 1e-5 });
    expectClose(g.z[0]!, -4, { rtol: 1e-5 });
  });

  it('maps index-space derivatives to world LPS through the direction matrix', () => {
    // Axes flipped in x and y and swapped y/z: the world gradient must not change.
    const dir = [-1, 0, 0, 0, 0, -1, 0, 1, 0];
    const { image } = phantom({ size: [8, 9, 10], spacing: [1, 2, 0.5], origin: [5, 6, -7], direction: dir }, (x, y, z) => 2 * x + 3 * y - 4 * z, () => true);
    const g = computeGradient(image);
    const p = 4 + 8 * (4 + 9 * 5);
    expectClose(g.x[p]!, 2, { rtol: 1e-5 });
    expectClose(g.y[p]!, 3, { rtol: 1e-5 });
    expectClose(g.z[p]!, -4, { rtol: 1e-5 });
  });

  it('rejects bad options with typed errors', () => {
    const { image, mask } = phantom({ size: [4, 4, 4], spacing: [1, 1, 1] }, () => 1, () => true);
    expectCode(() => computeGradient(image, { method: 'gaussian', sigmaMm: 0 }), 'E_INVALID_ARGUMENT');
    expectCode(() => computeGradient(image, { method: 'sobel' as never }), 'E_INVALID_ARGUMENT');
    const other = createVolume(new Uint8Array(27), [3, 3, 3]);
    expectCode(() => computeGradientMaps(image, other), 'E_MASK_GEOMETRY_MISMATCH');
    expect(computeGradientMaps(image, mask).diagnostics.zeroGradientVoxels).toBe(64);
  });
});

describe('ball phantom, intensity rising linearly with radius', () => {
  const { image, mask } = risingBall([1, 1, 1]);
  const res = extractGradientFeatures(image, mask);
  const f = res.features;

  it('uses the 3 mm default margin for a lesion > 4000 mm³', () => {
    expect(res.diagnostics.innerMm).toBe(3);
    expect(res.diagnostics.outerMm).toBe(3);
    expect(res.diagnostics.marginRule).toBe('size-rule');
    expect(Object.keys(f)).toEqual(basicFeatureNames());
  });

  it('|∇I| and the radial gradient equal the slope in every region (2 %)', () => {
    for (const r of ALL_REGIONS) {
      expectClose(f[`grad_mag_${r}_mean`]!, SLOPE, { rtol: 0.02, label: `mag ${r}` });
      expectClose(f[`grad_radial_${r}_mean`]!, SLOPE, { rtol: 0.02, label: `radial ${r}` });
    }
  });

  it('radial deviation ≈ 0° in the margin and its octants', () => {
    for (const r of ALL_REGIONS.slice(1)) expect(f[`grad_raddev_${r}_mean`]!).toBeLessThan(1);
    expect(f.grad_mag_margin_sd!).toBeLessThan(0.02 * SLOPE);
    expect(f.grad_mag_margin_cv!).toBeLessThan(0.02);
  });

  it('the Gaussian-derivative option gives the same slope in the margin', () => {
    const g = extractGradientFeatures(image, mask, { method: 'gaussian', sigmaMm: 1 }).features;
    for (const r of ALL_REGIONS.slice(1)) {
      expectClose(g[`grad_mag_${r}_mean`]!, SLOPE, { rtol: 0.02, label: `gaussian mag ${r}` });
      expect(g[`grad_raddev_${r}_mean`]!).toBeLessThan(1);
    }
  });
});

describe('ball phantom, intensity falling outward', () => {
  it('radial gradient = −slope and radial deviation ≈ 180°', () => {
    const { image, mask } = risingBall([1, 1, 1], -1);
    const f = extractGradientFeatures(image, mask).features;
    for (const r of ALL_REGIONS) {
      expectClose(f[`grad_radial_${r}_mean`]!, -SLOPE, { rtol: 0.02, label: `radial ${r}` });
      expectClose(f[`grad_mag_${r}_mean`]!, SLOPE, { rtol: 0.02, label: `mag ${r}` });
    }
    for (const r of ALL_REGIONS.slice(1)) expect(f[`grad_raddev_${r}_mean`]!).toBeGreaterThan(179);
  });
});

describe('linear ramp along x', () => {
  // I = 3·x: ∇I = (3, 0, 0). Radial gradient = 3·n_x, whose mean over an octant of a spherical
  // shell is ±3·(1/2) (mean direction cosine of an octant = 1/2): + in L octants, − in R octants.
  // On a lattice each octant gains or loses part of a voxel plane at its x = 0 face, so single
  // octants are within ~3 % at 0.5 mm; the mean of |octant means| cancels that to first order.
  const r = dist(C);
  const { image, mask } = phantom(gridAround(C, R + 5, [0.5, 0.5, 0.5]), (x) => 3 * x, (x, y, z) => r(x, y, z) <= R);
  const f = extractGradientFeatures(image, mask).features;

  it('octant means differ by sign as the geometry predicts', () => {
    let absMean = 0;
    for (const o of OCTANT_LPS_NAMES) {
      const sign = o[0] === 'L' ? 1 : -1;
      expectClose(f[`grad_radial_oct_${o}_mean`]!, sign * 1.5, { rtol: 0.04, label: `radial oct_${o}` });
      absMean += Math.abs(f[`grad_radial_oct_${o}_mean`]!) / 8;
      if (sign > 0) expect(f[`grad_raddev_oct_${o}_mean`]!).toBeLessThan(90);
      else expect(f[`grad_raddev_oct_${o}_mean`]!).toBeGreaterThan(90);
      expectClose(f[`grad_mag_oct_${o}_mean`]!, 3, { rtol: 1e-5 });
      expect(f[`grad_mag_oct_${o}_sd`]!).toBeLessThan(1e-4);
    }
    expectClose(absMean, 1.5, { rtol: 0.01 });
    // the whole margin is symmetric: mean radial gradient ≈ 0, mean deviation ≈ 90°
    expect(Math.abs(f.grad_radial_margin_mean!)).toBeLessThan(0.05);
    expectClose(f.grad_raddev_margin_mean!, 90, { atol: 1.5 });
  });
});

describe('anisotropic spacing', () => {
  it('0.5×0.5×2 mm gives the same physical answers as 1 mm isotropic', () => {
    const iso = extractGradientFeatures(...(Object.values(risingBall([1, 1, 1])) as [never, never])).features;
    const an = extractGradientFeatures(...(Object.values(risingBall([0.5, 0.5, 2])) as [never, never])).features;
    for (const r of ALL_REGIONS) {
      expectClose(an[`grad_mag_${r}_mean`]!, SLOPE, { rtol: 0.02, label: `aniso mag ${r}` });
      expectClose(an[`grad_radial_${r}_mean`]!, SLOPE, { rtol: 0.02, label: `aniso radial ${r}` });
      expectClose(an[`grad_mag_${r}_mean`]!, iso[`grad_mag_${r}_mean`]!, { rtol: 0.02 });
    }
    for (const r of ALL_REGIONS.slice(1)) expect(an[`grad_raddev_${r}_mean`]!).toBeLessThan(1.5);
  });
});

describe('regions', () => {
  it('core and margin volumes of a ball match the analytic volumes within 3 % at 0.5 mm', () => {
    const Rb = 12;
    const r = dist(C);
    const { mask } = phantom(gridAround(C, Rb + 4, [0.5, 0.5, 0.5]), () => 0, (x, y, z) => r(x, y, z) <= Rb);
    const reg = gradientRegions(mask); // 7238 mm³ → 3 mm
    expect(reg.innerMm).toBe(3);
    expectClose(reg.lesionVolumeMm3, ballVolume(Rb), { rtol: 0.01 });
    expectClose(reg.volumesMm3.core!, ballVolume(Rb - 3), { rtol: 0.03, label: 'core' });
    expectClose(reg.volumesMm3.margin!, ballVolume(Rb + 3) - ballVolume(Rb - 3), { rtol: 0.03, label: 'margin' });
    // octants split the margin into 8 near-equal parts that add up (each octant may gain or lose
    // part of a 0.5 mm voxel plane per axis at its faces: ≈ 4 % of its volume per axis here)
    let sum = 0;
    for (const o of OCTANT_LPS_NAMES) {
      const v = reg.volumesMm3[`oct_${o}`]!;
      sum += v;
      expectClose(v, reg.volumesMm3.margin! / 8, { rtol: 0.12, label: `oct_${o}` });
    }
    expectClose(sum, reg.volumesMm3.margin!, { rtol: 1e-12 });
  });

  it('margin options: fixed, inner/outer and size-rule threshold', () => {
    const r = dist(C);
    const { mask } = phantom(gridAround(C, 9, [1, 1, 1]), () => 0, (x, y, z) => r(x, y, z) <= 5); // 523 mm³
    expect(gradientRegions(mask).innerMm).toBe(1);
    expect(gradientRegions(mask, { sizeThresholdMm3: 100 }).innerMm).toBe(3);
    const io = gradientRegions(mask, { innerMm: 2, outerMm: 1 });
    expect([io.innerMm, io.outerMm, io.marginRule]).toEqual([2, 1, 'explicit']);
    expect(gradientRegions(mask, { marginMm: 2 }).marginRule).toBe('fixed');
    expectCode(() => gradientRegions(mask, { marginMm: -1 }), 'E_INVALID_ARGUMENT');
  });

  it('a flipped direction matrix assigns octants by world LPS signs', () => {
    // Intensity 1 only in the world L-P-S octant around the centre; identity vs flipped x/y axes
    // (as stored by RAS tools) must give identical features, and oct_LPS must be the bright one.
    const r = dist(C);
    const f = (x: number, y: number, z: number) => (x > C[0] && y > C[1] && z > C[2] ? 100 : 0) + r(x, y, z);
    const inside = (x: number, y: number, z: number) => r(x, y, z) <= 6;
    const a = phantom(gridAround(C, 10, [1, 1, 1]), f, inside);
    const b = phantom(gridAround(C, 10, [1, 1, 1], [-1, 0, 0, 0, -1, 0, 0, 0, 1]), f, inside);
    const fa = extractGradientFeatures(a.image, a.mask, { marginMm: 2 }).features;
    const fb = extractGradientFeatures(b.image, b.mask, { marginMm: 2 }).features;
    for (const name of basicFeatureNames()) expectClose(fb[name]!, fa[name]!, { rtol: 1e-4, atol: 1e-4, label: name });
    const rb = gradientRegions(b.mask, { marginMm: 2 });
    // the label of the brightest margin voxels is oct_LPS (label 2)
    let brightLabel = -1;
    for (let p = 0; p < b.image.data.length; p++) if (rb.labels.data[p]! >= 2 && b.image.data[p]! > 100) brightLabel = rb.labels.data[p]!;
    expect(brightLabel).toBe(2);
    for (const o of OCTANT_LPS_NAMES.slice(1)) expect(fb.grad_mag_oct_LPS_mean!).toBeGreaterThan(fb[`grad_mag_oct_${o}_mean`]!);
  });
});

describe('degenerate input', () => {
  it('a tiny lesion whose core vanishes gives NaN core features with diagnostics', () => {
    const { image, mask } = phantom({ size: [10, 10, 10], spacing: [1, 1, 1] }, (x) => x, (x, y, z) => x >= 4 && x <= 5 && y >= 4 && y <= 5 && z >= 4 && z <= 5);
    const res = extractGradientFeatures(image, mask);
    expect(res.diagnostics.regionVoxels.core).toBe(0);
    for (const m of ['mag', 'radial', 'raddev']) for (const s of ['mean', 'sd', 'cv']) {
      expect(res.features[`grad_${m}_core_${s}`]).toBeNaN();
      expect(res.diagnostics.nanFeatures[`grad_${m}_core_${s}`]).toBe('empty region');
    }
    expect(res.diagnostics.warnings.join(' ')).toMatch(/core is empty/);
    expectClose(res.features.grad_mag_margin_mean!, 1, { rtol: 1e-6 });
    expect(Object.keys(res.features)).toHaveLength(90);
  });

  it('a single-voxel lesion: radial maps undefined at the centroid, counted in diagnostics', () => {
    const { image, mask } = phantom({ size: [7, 7, 7], spacing: [1, 1, 1] }, () => 5, (x, y, z) => x === 3 && y === 3 && z === 3);
    const res = extractGradientFeatures(image, mask, { marginMm: 1 });
    expect(res.diagnostics.excluded.margin!.atCentroid).toBe(1);
    expect(res.diagnostics.excluded.margin!.zeroGradient).toBe(6); // flat image: |∇I| = 0
    expect(res.features.grad_raddev_margin_mean).toBeNaN();
    expect(res.features.grad_mag_margin_mean).toBe(0);
    expect(res.features.grad_mag_margin_cv).toBeNaN(); // mean 0
  });

  it('an empty mask throws E_EMPTY_ROI', () => {
    const { image, mask } = phantom({ size: [5, 5, 5], spacing: [1, 1, 1] }, () => 1, () => false);
    expectCode(() => extractGradientFeatures(image, mask), 'E_EMPTY_ROI');
    expectCode(() => gradientRegions(mask), 'E_EMPTY_ROI');
  });
});

describe('extra groups, maps and extractors', () => {
  const { image, mask } = risingBall([1, 1, 1]);

  it('distribution and orientation groups', () => {
    const res = extractGradientFeatures(image, mask, { groups: ['distribution', 'orientation'], polarBins: 6 });
    const f = res.features;
    expect(Object.keys(f)).toEqual(gradientFeatureNames({ groups: ['distribution', 'orientation'] }));
    expectClose(f.grad_mag_margin_p50!, SLOPE, { rtol: 0.02 });
    // outward gradients: all magnitude in the first polar bin (0–30°)
    expectClose(f.grad_polar_margin_b01!, 1, { atol: 1e-3 });
    // icosahedral histogram sums to 1 and the L-P-S octant votes for a face normal with +,+,+
    let s = 0;
    for (let b = 1; b <= 20; b++) s += f[`grad_hog_oct_LPS_b${String(b).padStart(2, '0')}`]!;
    expectClose(s, 1, { rtol: 1e-9 });
    expect(f.grad_hog_oct_LPS_b01!).toBeGreaterThan(0.2); // bin 1 = (+1,+1,+1)/√3
    expect(f.grad_hog_oct_RAI_b01!).toBe(0);
  });

  it('returns maps and regions on request', () => {
    const crop = extractGradientFeatures(image, mask, { returnMaps: true, returnRegions: true });
    expect(crop.maps!.magnitude.data.length).toBe(crop.regions!.labels.data.length);
    const full = extractGradientFeatures(image, mask, { returnMaps: 'full' });
    expect(full.maps!.raddev.size).toEqual(image.size);
    expect(full.features).toEqual(crop.features);
  });

  it('extractors name their features, share the analysis and register explicitly', () => {
    const input = Float32Array.from(image.data);
    const ctx = createExtractionContext(image, mask);
    for (const e of gradientExtractors) {
      const out = e.extract(ctx, {});
      expect(Object.keys(out.features)).toEqual(e.featureNames({}));
    }
    expect(ctx.cache.size).toBe(1);
    expect(gradientExtractors[0]!.extract(createExtractionContext(image, mask)).features).toEqual(
      extractGradientFeatures(image, mask).features,
    );
    expect(image.data).toEqual(input);
    expectCode(() => gradientExtractors[0]!.extract(createExtractionContext(image, { ...mask, data: new Uint8Array(mask.data.length) })), 'E_EMPTY_ROI');
    const dispose = registerGradientExtractors();
    expect(extractorRegistry.has('gradient/basic')).toBe(true);
    expectCode(() => registerGradientExtractors(), 'E_REGISTRY_DUPLICATE');
    dispose();
    expect(extractorRegistry.has('gradient/basic')).toBe(false);
  });
});
